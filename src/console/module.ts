import type { AlertChannels } from '../alerts/index.js';
import type { Config } from '../config.js';
import type { FeatureParts } from '../feature-module.js';
import type { CheckManagement } from '../heartbeats/index.js';
import type { IncidentService, PageService } from '../incidents/index.js';
import type { BillingOverview } from '../billing/index.js';
import type { ExpectationReads, ExpectationService } from '../expectations/index.js';
import type { Subscriptions } from '../notify/index.js';
import type { JobDefinition, JobOperations } from '../scheduler/index.js';
import type { ServiceDeps } from '../service-deps.js';
import type { ChannelUsers, SourceChoices, SubscriberCounts } from './ports.js';
import { consoleRoutes, type AttentionItems } from './routes.js';
import { deleteExpiredSessions, deleteSignInFailuresBefore } from './session-store.js';
import { ABSOLUTE_MS, createConsoleSessions, IDLE_MS } from './sessions.js';
import { trustProxyOf } from '../http/client-address.js';

/** The other features' services the expectations, billing and deliveries pages read (handed in by the root). */
export interface ConsoleReads {
  expectations: { service: ExpectationService; reads: ExpectationReads };
  billing: BillingOverview;
  deliveries: Pick<Subscriptions, 'deliveryPage' | 'deliveryCounts' | 'retry'>;
}

/** The operator console, composed: sessions, its pages, and the hourly cleanup of expired sessions. */
export function consoleModule(deps: ServiceDeps & { config: Config; scheduled: boolean; checks: CheckManagement; channels: AlertChannels; jobs: () => JobOperations; attention: AttentionItems; pages: PageService; incidents: IncidentService; sources: SourceChoices; channelUsers: ChannelUsers; subscribers: SubscriberCounts } & ConsoleReads): FeatureParts {
  const { db, clock, logger, config } = deps;
  const sessions = createConsoleSessions({ db, clock });
  const cleanup: JobDefinition = {
    key: 'console.sessions-cleanup',
    schedule: { intervalS: 3600 },
    catchUp: 'latest',
    maxRunS: 300,
    handler: async () => {
      const now = clock.now();
      await deleteExpiredSessions(db, now, IDLE_MS, ABSOLUTE_MS);
      await deleteSignInFailuresBefore(db, new Date(now.getTime() - 86_400_000));
    },
  };
  return {
    routes: [consoleRoutes({ sessions, checks: deps.checks, channels: deps.channels, jobs: deps.jobs, attention: deps.attention, pages: deps.pages, incidents: deps.incidents, expectations: deps.expectations, billing: deps.billing, deliveries: deps.deliveries, sources: deps.sources, channelUsers: deps.channelUsers, subscribers: deps.subscribers, clock, logger, publicUrl: config.publicUrl, trustProxy: trustProxyOf(config.heartbeats.trustProxy) })],
    jobs: deps.scheduled ? [cleanup] : [],
  };
}
