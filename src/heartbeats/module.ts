import type { Backend } from '../db/connect.js';
import type { Config } from '../config.js';
import type { FeatureParts } from '../feature-module.js';
import type { JobDefinition } from '../scheduler/index.js';
import type { ServiceDeps } from '../service-deps.js';
import { AlertEvaluator, ALERT_LOOP } from './alerts.js';
import { createBadges } from './badge-service.js';
import { badgeRoutes } from './badge-routes.js';
import type { ChannelRouting } from './channel-routing.js';
import type { MaintenanceWindows } from '../signals/index.js';
import { createCheckManagement, type CheckManagement } from './management.js';
import { pingRoutes } from './ping-routes.js';
import { pruneRetained } from './retention.js';
import { createHeartbeatService, type HeartbeatService } from './service.js';
import { v3Routes } from './v3-routes.js';
import { v1Routes } from './v1-routes.js';
import { trustProxyOf } from '../http/client-address.js';

/**
 * Heartbeats, composed: the ping intake and its routes, the deadline
 * evaluator's loop, the v3 management API, public status badges and the
 * ping retention job.
 */
export function heartbeatsModule(
  deps: ServiceDeps & { config: Config; backend: Backend; wake: (loop: string) => void; routing: ChannelRouting; maintenance?: MaintenanceWindows },
): FeatureParts & { service: HeartbeatService; alerts: AlertEvaluator; management: CheckManagement } {
  const { db, clock, logger, meter, config } = deps;
  const hb = config.heartbeats;
  const alerts = new AlertEvaluator({
    db,
    clock,
    logger,
    meter,
    options: { capMs: hb.alertCapMs, outageThresholdMs: hb.monitorOutageThresholdMs, batchSize: config.tuning.alertBatch },
    wake: () => deps.wake(ALERT_LOOP),
    ...(deps.maintenance && { maintenance: deps.maintenance }),
  });
  const service = createHeartbeatService({
    db,
    clock,
    logger,
    meter,
    // PGlite is one session: batches cannot overlap there.
    intake: { maxWaitMs: hb.commitWaitMs, maxBatch: config.tuning.pingBatchMax, concurrency: deps.backend === 'pglite' ? 1 : hb.commitConcurrency },
    autoCreateLimit: hb.autoCreateLimit,
    onDeadline: (at) => alerts.deadlineMoved(at),
    ...(deps.maintenance && { maintenance: deps.maintenance }),
  });
  const management = createCheckManagement({ db, clock, pingLogLimit: hb.pingLogLimit });
  const badges = createBadges({ db, clock, publicUrl: config.publicUrl, secretKey: config.secretKey });
  const retention: JobDefinition = {
    key: 'heartbeats.retention',
    schedule: { intervalS: 60 },
    catchUp: 'latest',
    maxRunS: 300,
    handler: async ({ signal }) => void (await pruneRetained({ db, clock, logger, keep: hb.pingLogLimit }, signal)),
  };
  return {
    service,
    alerts,
    management,
    volumeRoutes: [pingRoutes(service, { bodyLimit: hb.pingBodyLimitBytes, bodyTimeoutMs: config.tuning.pingBodyTimeoutMs, trustProxy: trustProxyOf(hb.trustProxy) }, { clock, meter, logger })],
    routes: [v3Routes({ manage: management, routing: deps.routing, badges, clock, logger, publicUrl: config.publicUrl }), badgeRoutes(badges), v1Routes({ db, clock, manage: management })],
    loops: [alerts.loop()],
    jobs: [retention],
  };
}
