import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { assertCleanJson } from '../http/json-body.js';
import { requireApiKey } from '../http/middleware/api-key.js';
import { idempotency } from '../http/middleware/idempotency.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { JobOperations, JobSummary } from './operations.js';
import type { RunRow } from './store.js';

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

function jobJson({ job, nextSlot, lastRun, state, lagSeconds }: JobSummary) {
  return {
    key: job.key,
    schedule: job.schedule,
    tz: job.tz,
    interval_seconds: job.interval_s,
    catch_up: job.catch_up,
    max_run_seconds: job.max_run_s,
    check_id: job.check_id,
    next_slot: nextSlot?.toISOString() ?? null,
    last_run: lastRun ? runJson(lastRun) : null,
    state,
    lag_seconds: lagSeconds,
  };
}

/** Operator API for the scheduler (admin key): jobs, their runs, run a slot now, pause/resume. */
export function jobRoutes(deps: { db: Kysely<Database>; clock: Clock; logger: Logger; jobs: JobOperations }): Hono<AppEnv> {
  const { jobs } = deps;
  const app = new Hono<AppEnv>().basePath('/api/v1/jobs');
  app.use('*', requireApiKey(deps.db, { adminOnly: true }), idempotency(deps));

  app.get('/', async (c) => c.json({ data: (await jobs.list()).map(jobJson), next_cursor: null }));

  app.get('/:key/runs', async (c) => {
    const key = c.req.param('key');
    if (!jobs.has(key)) throw new AppError('not_found', `no job ${key}`);
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 50) || 50, 1), 500);
    const cursorRaw = c.req.query('cursor');
    const cursor = cursorRaw ? new Date(cursorRaw) : undefined;
    if (cursor && Number.isNaN(cursor.getTime())) throw new AppError('bad_request', 'cursor must be a slot instant from next_cursor');
    const runs = await jobs.runs(key, limit, cursor);
    return c.json({ data: runs.map(runJson), next_cursor: runs.length === limit ? runs[runs.length - 1]!.slot_at.toISOString() : null });
  });

  // Without a body: the latest slot that is due now. With {"slot"}: that slot.
  app.post('/:key/run', async (c) => {
    const key = c.req.param('key');
    if (!jobs.has(key)) throw new AppError('not_found', `no job ${key}`);
    const text = await c.req.text();
    let run: Awaited<ReturnType<JobOperations['runSlot']>>;
    if (text.trim() === '') {
      run = await jobs.runLatest(key);
    } else {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new AppError('bad_request', 'body must be empty (the latest due slot) or JSON: {"slot": "<ISO 8601 instant>"}');
      }
      assertCleanJson(body);
      const raw = (body as { slot?: unknown })?.slot;
      const slot = typeof raw === 'string' ? new Date(raw) : undefined;
      if (!slot || Number.isNaN(slot.getTime()) || !/[zZ]|[+-]\d\d:\d\d$/.test(raw as string)) {
        throw new AppError('validation_failed', 'slot must be an ISO 8601 instant with an offset');
      }
      run = await jobs.runSlot(key, slot);
      if (run === 'not_a_slot') {
        const near = jobs.nearestSlots(key, slot);
        const around = near ? ` (nearest slots: ${near.before.toISOString()}${near.after ? ` and ${near.after.toISOString()}` : ''}; or send no body to run the latest due slot)` : '';
        throw new AppError('validation_failed', `${slot.toISOString()} is not a slot of job ${key}${around}`);
      }
    }
    if (run === 'not_found') throw new AppError('not_found', `no job ${key}`);
    if (run === 'not_a_slot') throw new AppError('validation_failed', `not a slot of job ${key}`);
    if (run === 'in_future') throw new AppError('validation_failed', 'slot is in the future');
    if (run === 'busy') throw new AppError('conflict', `a run of job ${key} is in progress; try again when it finishes`);
    return c.json(runJson(run));
  });

  for (const action of ['pause', 'resume'] as const) {
    app.post(`/:key/${action}`, async (c) => {
      const key = c.req.param('key');
      if (!(await jobs.setPaused(key, action === 'pause'))) throw new AppError('not_found', `no job ${key}`);
      return c.json({ key, paused: action === 'pause' });
    });
  }
  return app;
}
