import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { requireApiKey } from '../http/middleware/api-key.js';
import { apiRouter, errors, instant, jsonResponse, operation, pathParams, z } from '../http/openapi.js';
import type { CheckManagement } from './management.js';
import { parseScheduledFor } from './ping-rules.js';
import { seconds as seconds_, summarizeDurations } from './runs.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Runs one durations answer lists at most (the ping log's retention usually bounds it first). */
export const DURATIONS_LIMIT = 1000;

/**
 * Heartbeats under our own /api/v1 (snake_case, `{"error":{"code","message"}}`):
 * `GET /api/v1/checks/:uuid/durations?since=<RFC 3339>`, the closed runs of a
 * check, oldest first, with their p50, p90 and max. A tenant key sees its own
 * checks only; others are 404, as if they did not exist.
 */
const seconds = () => z.number().nullable().openapi({ description: 'Seconds' });
const Durations = z
  .object({
    data: z.array(z.object({ at: instant(), duration_s: z.number(), kind: z.enum(['success', 'fail']) })),
    summary: z.object({ p50: seconds(), p90: seconds(), max: seconds(), count: z.number().int() }),
  })
  .openapi('CheckDurations');

export function v1Routes(deps: { db: Kysely<Database>; clock: Clock; manage: CheckManagement }): OpenAPIHono<AppEnv> {
  const app = apiRouter<AppEnv>().basePath('/api/v1/checks');
  app.use('*', requireApiKey(deps.db));
  operation(
    app,
    {
      method: 'get',
      path: '/{id}/durations',
      operationId: 'getCheckDurations',
      summary: "A check's closed runs (a start, then a success or fail with the same rid, or both without), oldest first, with p50, p90 and max",
      request: {
        params: pathParams({ id: 'uuid' }),
        query: z.object({ since: z.string().optional().openapi({ format: 'date-time', description: 'Runs that closed at or after this instant (default: all retained, newest 1,000)' }) }),
      },
      responses: { 200: jsonResponse(Durations, 'The runs and their summary'), ...errors({ 404: 'No such check (or not visible to this key)' }) },
    },
    async (c) => {
      const p = c.get('principal');
      const id = c.req.param('id')!;
      const raw = c.req.query('since');
      let since: Date | undefined;
      if (raw !== undefined) {
        const at = /^[0-9]+$/.test(raw) ? 'invalid' : parseScheduledFor(raw);
        if (at === 'invalid' || at === null) throw new AppError('bad_request', 'since must be an RFC 3339 date-time with an offset, e.g. 2026-12-01T00:00:00Z');
        since = at;
      }
      const check = UUID.test(id) ? await deps.manage.get({ admin: p.kind === 'admin', tenantId: p.tenantId }, id) : undefined;
      if (!check) throw new AppError('not_found', `no check ${id}`);
      const runs = await deps.manage.durations(check, since, DURATIONS_LIMIT);
      const summary = summarizeDurations(runs.map((r) => r.durationMs));
      return c.json({
        data: runs.map((r) => ({ at: r.at.toISOString(), duration_s: seconds_(r.durationMs), kind: r.kind === 'fail' ? ('fail' as const) : ('success' as const) })),
        summary,
      } satisfies z.infer<typeof Durations>);
    },
  );
  return app;
}
