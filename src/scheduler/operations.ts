import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { Scheduler } from './runner.js';
import { isSlot, nextSlot, previousSlot } from '../time/slots.js';
import { lastRuns, listJobs, listRuns, oldestPending, setJobPaused, type JobRow, type RunRow } from './store.js';

export type JobState = 'paused' | 'running' | 'failing' | 'ok';

export interface JobSummary {
  job: JobRow;
  nextSlot: Date | null;
  lastRun: RunRow | undefined;
  state: JobState;
  /** How long the oldest pending slot has waited, in whole seconds (0 when none). */
  lagSeconds: number;
}

export type RunSlotResult = RunRow | 'not_found' | 'not_a_slot' | 'in_future' | 'busy';

/**
 * What an operator may do with scheduled jobs: see them with their last run
 * and lag, page through their runs, run a slot now, pause and resume. The
 * jobs API translates HTTP to these and back.
 */
export interface JobOperations {
  /** Whether a job of this key is defined in this process. */
  has(key: string): boolean;
  list(): Promise<JobSummary[]>;
  /** Runs of a job, newest slot first, before `cursor`. */
  runs(key: string, limit: number, cursor: Date | undefined): Promise<RunRow[]>;
  runSlot(key: string, slot: Date): Promise<RunSlotResult>;
  /** Runs the latest slot that is due now (idempotent like runSlot). */
  runLatest(key: string): Promise<RunSlotResult>;
  /** The valid slots nearest to `at` (the one before and the one after), for error messages. */
  nearestSlots(key: string, at: Date): { before: Date; after: Date | null } | undefined;
  /** False for an unknown job. */
  setPaused(key: string, paused: boolean): Promise<boolean>;
}

export function jobState(paused: boolean, lastRun: RunRow | undefined): JobState {
  if (paused) return 'paused';
  if (lastRun?.state === 'running') return 'running';
  return lastRun && lastRun.state !== 'succeeded' ? 'failing' : 'ok';
}

export function createJobOperations(deps: { db: Kysely<Database>; clock: Clock; scheduler: Scheduler }): JobOperations {
  const { db, clock, scheduler } = deps;
  return {
    has: (key) => scheduler.definition(key) !== undefined,
    async list() {
      const now = clock.now();
      const jobs = await listJobs(db, scheduler.jobKeys);
      const keys = jobs.map((j) => j.key);
      const [last, pending] = await Promise.all([lastRuns(db, keys), oldestPending(db, keys)]);
      const lastBy = new Map(last.map((r) => [r.job_key, r]));
      return jobs.map((job) => {
        const lastRun = lastBy.get(job.key);
        const oldest = pending.get(job.key);
        return {
          job,
          nextSlot: nextSlot(scheduler.definition(job.key)!.schedule, now) ?? null,
          lastRun,
          state: jobState(job.paused, lastRun),
          lagSeconds: oldest ? Math.max(0, Math.round((now.getTime() - oldest.getTime()) / 1000)) : 0,
        };
      });
    },
    runs: (key, limit, cursor) => listRuns(db, key, limit, cursor),
    async runSlot(key, slot) {
      const def = scheduler.definition(key);
      if (!def) return 'not_found';
      if (!isSlot(def.schedule, slot)) return 'not_a_slot';
      if (slot > clock.now()) return 'in_future';
      return (await scheduler.runSlot(key, slot)) ?? 'not_found';
    },
    async runLatest(key) {
      const def = scheduler.definition(key);
      if (!def) return 'not_found';
      const now = clock.now();
      const slot = isSlot(def.schedule, now) ? now : previousSlot(def.schedule, now);
      return (await scheduler.runSlot(key, slot)) ?? 'not_found';
    },
    nearestSlots(key, at) {
      const def = scheduler.definition(key);
      if (!def) return undefined;
      return { before: isSlot(def.schedule, at) ? at : previousSlot(def.schedule, at), after: nextSlot(def.schedule, at) };
    },
    setPaused: (key, paused) => setJobPaused(db, key, paused, clock.now()),
  };
}
