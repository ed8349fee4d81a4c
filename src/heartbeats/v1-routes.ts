import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { requireApiKey } from '../http/middleware/api-key.js';
import type { CheckManagement } from './management.js';
import { parseScheduledFor } from './ping-rules.js';
import { seconds, summarizeDurations } from './runs.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Runs one durations answer lists at most (the ping log's retention usually bounds it first). */
export const DURATIONS_LIMIT = 1000;

/**
 * Heartbeats under our own /api/v1 (snake_case, `{"error":{"code","message"}}`):
 * `GET /api/v1/checks/:uuid/durations?since=<RFC 3339>`, the closed runs of a
 * check, oldest first, with their p50, p90 and max. A tenant key sees its own
 * checks only; others are 404, as if they did not exist.
 */
export function v1Routes(deps: { db: Kysely<Database>; clock: Clock; manage: CheckManagement }): Hono<AppEnv> {
  const app = new Hono<AppEnv>().basePath('/api/v1/checks');
  app.use('*', requireApiKey(deps.db));
  app.get('/:id/durations', async (c) => {
    const p = c.get('principal');
    const id = c.req.param('id');
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
      data: runs.map((r) => ({ at: r.at.toISOString(), duration_s: seconds(r.durationMs), kind: r.kind === 'fail' ? 'fail' : 'success' })),
      summary,
    });
  });
  return app;
}

/** OpenAPI paths of heartbeats' /api/v1 routes (merged into /api/v1/openapi.json). */
export function checkPaths(error: object) {
  const err = (description: string) => ({ description, content: { 'application/json': { schema: error } } });
  const seconds = { type: ['number', 'null'], description: 'Seconds' };
  return {
    '/checks/{id}/durations': {
      get: {
        summary: "A check's closed runs (a start, then a success or fail with the same rid, or both without), oldest first, with p50, p90 and max",
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
          { name: 'since', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'Runs that closed at or after this instant (default: all retained, newest 1,000)' },
        ],
        responses: {
          '200': {
            description: 'The runs and their summary',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    data: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: { at: { type: 'string', format: 'date-time' }, duration_s: { type: 'number' }, kind: { enum: ['success', 'fail'] } },
                      },
                    },
                    summary: { type: 'object', properties: { p50: seconds, p90: seconds, max: seconds, count: { type: 'integer' } } },
                  },
                },
              },
            },
          },
          '400': err('since is not an RFC 3339 date-time'),
          '401': err('Missing or invalid key'),
          '404': err('No such check for this key'),
        },
      },
    },
  };
}
