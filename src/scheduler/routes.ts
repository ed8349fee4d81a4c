import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { requireApiKey } from '../http/middleware/api-key.js';
import { idempotency } from '../http/middleware/idempotency.js';
import type { Logger } from '../logger.js';
import type { Scheduler } from './runner.js';
import { isSlot, nextSlot } from './slots.js';
import { findJob, lastRuns, listJobs, listRuns, oldestPending, setJobPaused, type RunRow } from './store.js';

function runJson(r: RunRow) {
  return {
    job_key: r.job_key,
    slot: r.slot_at.toISOString(),
    state: r.state,
    attempt: r.attempt,
    catch_up: r.catch_up,
    instance_id: r.instance_id,
    started_at: r.started_at?.toISOString() ?? null,
    finished_at: r.finished_at?.toISOString() ?? null,
    delay_seconds: r.delay_ms === null ? null : Number(r.delay_ms) / 1000,
    error: r.error,
  };
}

/** Operator API for the scheduler (admin key): jobs, their runs, run a slot now, pause/resume. */
export function jobRoutes(deps: { db: Kysely<Database>; clock: Clock; logger: Logger; scheduler: Scheduler }): Hono<AppEnv> {
  const { db, clock, scheduler } = deps;
  const app = new Hono<AppEnv>().basePath('/api/v1/jobs');
  app.use('*', requireApiKey(db, { adminOnly: true }), idempotency(deps));

  app.get('/', async (c) => {
    const now = clock.now();
    const jobs = await listJobs(db, scheduler.jobKeys);
    const keys = jobs.map((j) => j.key);
    const [last, pending] = await Promise.all([lastRuns(db, keys), oldestPending(db, keys)]);
    const lastBy = new Map(last.map((r) => [r.job_key, r]));
    const data = jobs.map((j) => {
      const def = scheduler.definition(j.key)!;
      const lastRun = lastBy.get(j.key);
      const oldest = pending.get(j.key);
      return {
        key: j.key,
        schedule: j.schedule,
        tz: j.tz,
        interval_seconds: j.interval_s,
        catch_up: j.catch_up,
        max_run_seconds: j.max_run_s,
        check_id: j.check_id,
        next_slot: nextSlot(def.schedule, now)?.toISOString() ?? null,
        last_run: lastRun ? runJson(lastRun) : null,
        state: j.paused ? 'paused' : lastRun?.state === 'running' ? 'running' : lastRun && lastRun.state !== 'succeeded' ? 'failing' : 'ok',
        lag_seconds: oldest ? Math.max(0, Math.round((now.getTime() - oldest.getTime()) / 1000)) : 0,
      };
    });
    return c.json({ data, next_cursor: null });
  });

  app.get('/:key/runs', async (c) => {
    const key = c.req.param('key');
    if (!(await findJob(db, key))) throw new AppError('not_found', `no job ${key}`);
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 50) || 50, 1), 500);
    const cursorRaw = c.req.query('cursor');
    const cursor = cursorRaw ? new Date(cursorRaw) : undefined;
    if (cursor && Number.isNaN(cursor.getTime())) throw new AppError('bad_request', 'cursor must be a slot instant from next_cursor');
    const runs = await listRuns(db, key, limit, cursor);
    return c.json({ data: runs.map(runJson), next_cursor: runs.length === limit ? runs[runs.length - 1]!.slot_at.toISOString() : null });
  });

  app.post('/:key/run', async (c) => {
    const key = c.req.param('key');
    const def = scheduler.definition(key);
    if (!def) throw new AppError('not_found', `no job ${key}`);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new AppError('bad_request', 'body must be JSON: {"slot": "<ISO 8601 instant>"}');
    }
    const raw = (body as { slot?: unknown })?.slot;
    const slot = typeof raw === 'string' ? new Date(raw) : undefined;
    if (!slot || Number.isNaN(slot.getTime()) || !/[zZ]|[+-]\d\d:\d\d$/.test(raw as string)) {
      throw new AppError('validation_failed', 'slot must be an ISO 8601 instant with an offset');
    }
    if (!isSlot(def.schedule, slot)) throw new AppError('validation_failed', `${slot.toISOString()} is not a slot of job ${key}`);
    if (slot > clock.now()) throw new AppError('validation_failed', 'slot is in the future');
    const run = await scheduler.runSlot(key, slot);
    if (run === 'busy') throw new AppError('conflict', `a run of job ${key} is in progress; try again when it finishes`);
    if (!run) throw new AppError('not_found', `no job ${key}`);
    return c.json(runJson(run));
  });

  for (const action of ['pause', 'resume'] as const) {
    app.post(`/:key/${action}`, async (c) => {
      const key = c.req.param('key');
      if (!(await setJobPaused(db, key, action === 'pause', clock.now()))) throw new AppError('not_found', `no job ${key}`);
      return c.json({ key, paused: action === 'pause' });
    });
  }
  return app;
}
