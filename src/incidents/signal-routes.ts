import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { apiRouter, errors, jsonResponse, listOf, operation, pageQuery, pathParams, z } from '../http/openapi.js';
import { ParkedSignal } from './api-schemas.js';
import type { requireApiKey } from '../http/middleware/api-key.js';
import { parkedSignals, retryParkedSignal } from './signal-failures.js';

const STATES = ['parked'];

/**
 * The operator's view of signals the incident loop gave up on (admin key
 * only: a signal's summary and error name internal things of any tenant):
 * `GET /api/v1/signals?state=parked` and `POST /api/v1/signals/:id/retry`.
 */
export function signalRoutes(deps: { db: Kysely<Database>; auth: ReturnType<typeof requireApiKey> }): OpenAPIHono<AppEnv> {
  const app = apiRouter<AppEnv>();
  const adminOnly = (c: Context<AppEnv>) => {
    if (c.get('principal').kind !== 'admin') throw new AppError('forbidden', 'signals need the admin key');
  };
  operation(app, {
    method: 'get',
    path: '/signals',
    operationId: 'listParkedSignals',
    summary: 'Signals the incident loop parked after its retries (admin key), newest first',
    middleware: deps.auth,
    request: { query: z.object({ state: z.string().openapi({ enum: STATES }), ...pageQuery(500) }) },
    responses: { 200: jsonResponse(listOf(ParkedSignal), 'A page of parked signals'), ...errors({ 403: 'Not the admin key' }) },
  }, async (c) => {
    adminOnly(c);
    const state = c.req.query('state');
    if (state === undefined || !STATES.includes(state)) throw new AppError('bad_request', `state must be one of ${STATES.join(', ')}`);
    const limit = Number(c.req.query('limit') ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new AppError('bad_request', 'limit must be a whole number from 1 to 500');
    const cursor = c.req.query('cursor');
    if (cursor !== undefined && !/^[0-9]{1,18}$/.test(cursor)) throw new AppError('bad_request', 'cursor must be a next_cursor value');
    return c.json(await parkedSignals(deps.db, limit, cursor === undefined ? undefined : BigInt(cursor)));
  });
  operation(app, {
    method: 'post',
    path: '/signals/{id}/retry',
    operationId: 'retryParkedSignal',
    summary: 'Put a parked signal back in its source’s queue (admin key)',
    middleware: deps.auth,
    request: { params: pathParams({ id: 'string' }) },
    responses: { 204: { description: 'Queued again' }, ...errors({ 403: 'Not the admin key', 404: 'Not parked', 409: 'A newer signal of its source was handled since' }) },
  }, async (c) => {
    adminOnly(c);
    const id = c.req.param('id')!;
    if (!/^[0-9]{1,18}$/.test(id)) throw new AppError('not_found', `no parked signal ${id}`);
    await retryParkedSignal(deps.db, BigInt(id));
    return c.body(null, 204);
  });
  return app;
}
