import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { assertCleanJson } from '../http/json-body.js';
import { requireApiKey } from '../http/middleware/api-key.js';
import { idempotency } from '../http/middleware/idempotency.js';
import { apiRouter, errors, IdempotencyHeader, instant, jsonResponse, requestJson, listOf, operation, pageQuery, pathParams, z } from '../http/openapi.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { JobOperations, JobSummary } from './operations.js';
import type { RunRow } from './store.js';

const nullableInstant = () => instant().nullable();
const Run = z
  .object({
    job_key: z.string(),
    slot: instant(),
    state: z.string().openapi({ description: 'pending, running, succeeded, failed or skipped' }),
    attempt: z.number().int(),
    catch_up: z.boolean(),
    instance_id: z.string().nullable(),
    started_at: nullableInstant(),
    finished_at: nullableInstant(),
    delay_seconds: z.number().nullable().openapi({ description: 'How late the run started after its slot' }),
    error: z.string().nullable(),
  })
  .openapi('JobRun');

const Job = z
  .object({
    key: z.string(),
    schedule: z.string().nullable(),
    tz: z.string().nullable(),
    interval_seconds: z.number().int().nullable(),
    catch_up: z.string(),
    max_run_seconds: z.number().int(),
    check_id: z.string().nullable().openapi({ format: 'uuid', description: 'The heartbeat check the job reports to' }),
    next_slot: nullableInstant(),
    last_run: Run.nullable(),
    state: z.string(),
    lag_seconds: z.number().nullable(),
  })
  .openapi('Job');

const key = pathParams({ key: 'string' });

function runJson(r: RunRow): z.infer<typeof Run> {
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

function jobJson({ job, nextSlot, lastRun, state, lagSeconds }: JobSummary): z.infer<typeof Job> {
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
export function jobRoutes(deps: { db: Kysely<Database>; clock: Clock; logger: Logger; jobs: JobOperations }): OpenAPIHono<AppEnv> {
  const { jobs } = deps;
  const app = apiRouter<AppEnv>().basePath('/api/v1/jobs');
  app.use('*', requireApiKey(deps.db, { adminOnly: true }), idempotency(deps));
  const adminOnly = errors({ 403: 'Not the admin key' });

  operation(
    app,
    {
      method: 'get',
      path: '/',
      operationId: 'listJobs',
      summary: 'Scheduler jobs (admin key): schedule, zone, next slot, last run, state, lag',
      responses: { 200: jsonResponse(listOf(Job), 'Every job'), ...adminOnly },
    },
    async (c) => c.json({ data: (await jobs.list()).map(jobJson), next_cursor: null }),
  );

  operation(
    app,
    {
      method: 'get',
      path: '/{key}/runs',
      operationId: 'listJobRuns',
      summary: "A job's runs, newest first",
      request: { params: key, query: z.object(pageQuery(500)) },
      responses: { 200: jsonResponse(listOf(Run), 'A page of runs'), ...adminOnly, ...errors({ 404: 'No such job' }) },
    },
    async (c) => {
      const key = c.req.param('key')!;
      if (!jobs.has(key)) throw new AppError('not_found', `no job ${key}`);
      const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 50) || 50, 1), 500);
      const cursorRaw = c.req.query('cursor');
      const cursor = cursorRaw ? new Date(cursorRaw) : undefined;
      if (cursor && Number.isNaN(cursor.getTime())) throw new AppError('bad_request', 'cursor must be a slot instant from next_cursor');
      const runs = await jobs.runs(key, limit, cursor);
      return c.json({ data: runs.map(runJson), next_cursor: runs.length === limit ? runs[runs.length - 1]!.slot_at.toISOString() : null });
    },
  );

  // Without a body: the latest slot that is due now. With {"slot"}: that slot.
  operation(
    app,
    {
      method: 'post',
      path: '/{key}/run',
      operationId: 'runJob',
      summary: 'Run a job now: without a body the latest slot that is due, with {"slot"} that slot',
      description: 'Idempotent: a succeeded slot is returned as it is.',
      request: { params: key, headers: IdempotencyHeader, body: requestJson(z.object({ slot: z.string().optional().openapi({ format: 'date-time', description: 'An ISO 8601 instant with offset (required in a body)' }) }), false) },
      responses: {
        200: jsonResponse(Run, 'The run'),
        ...adminOnly,
        ...errors({ 400: 'Not a slot of the job, or in the future', 404: 'No such job', 409: 'A run of the job is in progress' }),
      },
    },
    async (c) => {
      const key = c.req.param('key')!;
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
    },
  );

  for (const action of ['pause', 'resume'] as const) {
    operation(
      app,
      {
        method: 'post',
        path: `/{key}/${action}`,
        operationId: `${action}Job`,
        summary: action === 'pause' ? 'Pause a job: its slots are skipped until it resumes' : 'Resume a paused job',
        request: { params: key, headers: IdempotencyHeader },
        responses: { 200: jsonResponse(z.object({ key: z.string(), paused: z.boolean() }), 'The job'), ...adminOnly, ...errors({ 404: 'No such job' }) },
      },
      async (c) => {
        const key = c.req.param('key')!;
        if (!(await jobs.setPaused(key, action === 'pause'))) throw new AppError('not_found', `no job ${key}`);
        return c.json({ key, paused: action === 'pause' });
      },
    );
  }
  return app;
}
