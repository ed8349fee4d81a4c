import type { FeatureParts } from '../feature-module.js';
import type { ServiceDeps } from '../service-deps.js';
import type { MaintenanceWindows } from '../signals/index.js';
import type { ExpectationDefinition, HeartbeatDefinition } from './define.js';
import { syncHeartbeats } from './heartbeat-sync.js';
import type { LoadedCheck } from './loader.js';
import type { RemediationDeps } from './remediations.js';
import { expectationRoutes } from './routes.js';
import { ExpectationService } from './service.js';
import { expectationReads, type ExpectationReads } from './reads.js';
import { syncExpectations } from './store.js';

/**
 * Expectations (checks-as-code), composed: the evaluation service and its
 * jobs (one per expectation), the API, and the start-up sync of the loaded
 * definitions (expectations by id, heartbeat definitions as platform checks).
 */
export function expectationsModule(
  deps: ServiceDeps & {
    outageThresholdMs: number;
    /** The repairs remediations run (billing's), and which instance claims them. */
    repairs: Pick<RemediationDeps, 'runInvoices' | 'settle'>;
    instanceId: () => string;
    /** Routes a source to the platform channels named in checks/ (null: back to the default channels). A port alerting implements. */
    routeToNamedChannels: (source: string, names: string[] | null) => Promise<void>;
    /** Maintenance windows that hold failing flips (a port incidents implements). */
    maintenance?: MaintenanceWindows;
  },
): FeatureParts & {
  service: ExpectationService;
  /** What the console reads (the API's store reads and per-tenant cut). */
  reads: ExpectationReads;
  /** Takes the loaded definitions; `sync` then writes them to the database. */
  load(checks: LoadedCheck[]): void;
  sync(): Promise<{ created: string[]; updated: string[]; archived: string[] }>;
} {
  const { db, clock, logger } = deps;
  const service = new ExpectationService({
    ...deps,
    remediation: {
      db,
      logger,
      now: () => clock.now(),
      get instanceId() {
        return deps.instanceId();
      },
      runInvoices: (tenantId, slot) => deps.repairs.runInvoices(tenantId, slot),
      settle: () => deps.repairs.settle(),
    },
  });
  let expectations: { file: string; def: ExpectationDefinition }[] = [];
  let heartbeats: HeartbeatDefinition[] = [];
  return {
    service,
    reads: expectationReads(db, service),
    routes: [expectationRoutes({ db, clock, logger, service })],
    jobSources: [async () => service.jobs()],
    load(checks) {
      expectations = checks.filter((c) => c.check.type === 'expectation').map((c) => ({ file: c.file, def: c.check.def as ExpectationDefinition }));
      heartbeats = checks.filter((c) => c.check.type === 'heartbeat').map((c) => c.check.def as HeartbeatDefinition);
      service.setDefinitions(expectations.map((e) => e.def));
    },
    async sync() {
      const report = await syncExpectations(db, expectations, clock.now());
      const { checkIds } = await syncHeartbeats(db, heartbeats, clock.now());
      for (const { def } of expectations) await deps.routeToNamedChannels(`expectation:${def.id}`, def.channels ?? null);
      for (const def of heartbeats) {
        const id = checkIds.get(def.id);
        if (id) await deps.routeToNamedChannels(`check:${id}`, def.channels ?? null);
      }
      return report;
    },
  };
}
