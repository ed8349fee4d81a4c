import type { JobDefinition, RunContext } from '../../src/scheduler/runner.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import type { ManualClock } from '../support/clock.js';
import type { TestDatabase } from '../support/db.js';

/** A driven instance (see drivenOverdue) running these jobs and no built-in ones. */
export function schedulerInstance(db: TestDatabase, clock: ManualClock, jobs: JobDefinition[], env: Record<string, string> = {}): Promise<TestOverdue> {
  return drivenOverdue({ database: db, clock, jobs, env, builtinJobs: false });
}

/** A handler that records every slot it is asked to run. */
export function recorder(): { calls: RunContext[]; handler: (ctx: RunContext) => Promise<void> } {
  const calls: RunContext[] = [];
  return { calls, handler: async (ctx) => void calls.push(ctx) };
}

export const iso = (d: Date) => d.toISOString();
