import type { Config } from '../config.js';
import type { FeatureParts } from '../feature-module.js';
import type { HeartbeatService } from '../heartbeats/index.js';
import type { ServiceDeps } from '../service-deps.js';
import { createJobOperations, type JobOperations } from './operations.js';
import { jobRoutes } from './routes.js';
import type { JobDefinition, Scheduler } from './runner.js';
import type { SelfPing } from './self-ping.js';
import { createScheduler } from './wiring.js';

/**
 * The scheduler, composed: the runner with its watchers (tick check,
 * SELF_PING_URL), its loop, and the operator's jobs API. Other features'
 * jobs are registered on it by the composition root.
 */
export function schedulerModule(
  deps: ServiceDeps & { config: Config; heartbeats: HeartbeatService; jobs: JobDefinition[] },
): FeatureParts & { scheduler: Scheduler; selfPing: SelfPing; operations: JobOperations } {
  const { db, clock, logger } = deps;
  const { scheduler, selfPing } = createScheduler(deps);
  const jobs = createJobOperations({ db, clock, scheduler });
  return {
    scheduler,
    selfPing,
    operations: jobs,
    routes: [jobRoutes({ db, clock, logger, jobs })],
    loops: [scheduler.loop()],
  };
}
