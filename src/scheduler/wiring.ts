import type { Meter } from '@opentelemetry/api';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { HeartbeatService } from '../heartbeats/index.js';
import type { Logger } from '../logger.js';
import { ensureServiceCheck, pingJobCheck } from './job-checks.js';
import { Scheduler, type JobDefinition } from './runner.js';
import { SelfPing } from './self-ping.js';

const TICK_CHECK = { slug: 'overdue-scheduler', name: 'Overdue scheduler tick', timeoutS: 60, graceS: 60 };
const TICK_PING_EVERY_MS = 10_000;

/**
 * The scheduler with its watchers: its own tick reports to a platform check
 * (so a stalled loop goes down through the separate alert loop), and each
 * healthy tick pings SELF_PING_URL for an outside monitor.
 */
export function createScheduler(deps: {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  meter: Meter;
  config: Config;
  heartbeats: HeartbeatService;
  jobs: JobDefinition[];
}): { scheduler: Scheduler; selfPing: SelfPing } {
  const { db, clock, logger } = deps;
  const selfPing = new SelfPing({ url: deps.config.selfPing.url, intervalMs: deps.config.selfPing.intervalMs, clock, logger, meter: deps.meter });
  let tickCheck: Promise<string> | undefined;
  let lastTickPing = Number.NEGATIVE_INFINITY;
  const onHealthyTick = () => {
    selfPing.healthy();
    const now = clock.now().getTime();
    if (now - lastTickPing < TICK_PING_EVERY_MS) return;
    lastTickPing = now;
    tickCheck ??= ensureServiceCheck(db, TICK_CHECK, clock.now());
    tickCheck
      .then((checkId) => pingJobCheck(deps.heartbeats, checkId, { action: 'success', rid: checkId, slot: null }))
      .catch((err) => {
        tickCheck = undefined;
        logger.error({ err }, 'could not ping the scheduler tick check');
      });
  };
  const scheduler = new Scheduler({
    db,
    clock,
    logger,
    meter: deps.meter,
    heartbeats: deps.heartbeats,
    options: {
      leaseMs: deps.config.scheduler.leaseMs,
      horizonMs: deps.config.scheduler.horizonMs,
      skipToleranceMs: 60_000,
      tickCapMs: 1000,
      retryBackoffMs: 30_000,
    },
    onHealthyTick,
  });
  for (const job of deps.jobs) scheduler.register(job);
  return { scheduler, selfPing };
}
