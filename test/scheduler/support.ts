import type { JobDefinition, RunContext } from '../../src/scheduler/runner.js';
import { testOverdue, type TestOverdue } from '../support/app.js';
import type { ManualClock } from '../support/clock.js';
import type { TestDatabase } from '../support/db.js';

/** Jumps in these tests are not our own outages unless a test says so. */
export const NO_OUTAGE = { MONITOR_OUTAGE_THRESHOLD: '86400' };

/**
 * An instance whose background loops are stopped: the test drives
 * `scheduler.tick()` and `alerts.tick()` itself, on its manual clock.
 */
export async function schedulerInstance(db: TestDatabase, clock: ManualClock, jobs: JobDefinition[], env: Record<string, string> = {}): Promise<TestOverdue> {
  const o = testOverdue({ database: db, clock, jobs, env: { ...NO_OUTAGE, ...env } });
  await o.start();
  await o.background.stop();
  return o;
}

/** A handler that records every slot it is asked to run. */
export function recorder(): { calls: RunContext[]; handler: (ctx: RunContext) => Promise<void> } {
  const calls: RunContext[] = [];
  return { calls, handler: async (ctx) => void calls.push(ctx) };
}

export const iso = (d: Date) => d.toISOString();
