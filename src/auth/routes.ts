import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { readJsonObject } from '../http/json-body.js';
import { requireApiKey } from '../http/middleware/api-key.js';
import { apiRouter, errors, IdempotencyHeader, jsonResponse, requestJson, listOf, operation, pageQuery, pathParams, z } from '../http/openapi.js';
import { idempotency } from '../http/middleware/idempotency.js';
import type { Logger } from '../logger.js';
import type { KeyKind } from './keys.js';
import type { KeyService } from './service.js';
import { respondWithSecrets } from './shown-once.js';
import type { ApiKeyRow } from './store.js';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NAME_MAX = 100;
const CREATE_FIELDS = ['name', 'read_only', 'tenant_id', 'kind'];

const Key = z
  .object({
    id: z.string().openapi({ format: 'uuid' }),
    prefix: z.string().openapi({ description: 'The first characters of the key, to recognise it' }),
    name: z.string(),
    kind: z.enum(['admin', 'tenant']),
    tenant_id: z.string().nullable().openapi({ format: 'uuid' }),
    read_only: z.boolean(),
    origin: z.enum(['configured', 'generated', 'api']).openapi({ description: 'OVERDUE_ADMIN_KEY, generated at first start, or made through the API' }),
    created_at: z.string().openapi({ format: 'date-time' }),
    last_used_at: z.string().nullable().openapi({ format: 'date-time', description: 'Recorded at most once a minute' }),
    revoked_at: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('ApiKey');

const CreateKey = z.object({
  name: z.string().max(NAME_MAX),
  read_only: z.boolean().default(false).optional(),
  tenant_id: z.string().nullable().optional().openapi({ format: 'uuid', description: 'Admin key: the tenant of a tenant key (a tenant key: only its own)' }),
  kind: z.enum(['admin', 'tenant']).optional().openapi({ description: 'Default: tenant when tenant_id is given or the caller is a tenant key, else admin (admin key only)' }),
});

/** `?tenant_id=` of routes where the admin key may act on a tenant. */
export const TenantQuery = z.object({ tenant_id: z.string().optional().openapi({ format: 'uuid', description: "Admin key only: act on this tenant's instead of the platform's" }) });

export function keyJson(k: ApiKeyRow): z.infer<typeof Key> {
  return {
    id: k.id,
    prefix: k.key_prefix,
    name: k.name,
    kind: k.kind,
    tenant_id: k.tenant_id,
    read_only: k.read_only,
    origin: k.origin,
    created_at: k.created_at.toISOString(),
    last_used_at: k.last_used_at?.toISOString() ?? null,
    revoked_at: k.revoked_at?.toISOString() ?? null,
  };
}

/**
 * The tenant a request names with `?tenant_id=`: for the admin key any
 * (undefined when absent); a tenant key may name only its own tenant.
 */
export function namedTenant(c: Context<AppEnv>): string | undefined {
  const t = c.req.query('tenant_id');
  if (t === undefined || t === '') return undefined;
  if (!UUID.test(t)) throw new AppError('bad_request', 'tenant_id must be a tenant id');
  const p = c.get('principal');
  if (p.kind !== 'admin' && t !== p.tenantId) throw new AppError('forbidden', 'a tenant key acts only on its own tenant');
  return t;
}

function createRequest(b: Record<string, unknown>) {
  const unknown = Object.keys(b).filter((k) => !CREATE_FIELDS.includes(k));
  if (unknown.length) throw new AppError('validation_failed', `unknown fields: ${unknown.slice(0, 5).join(', ')}`);
  const name = b.name;
  // eslint-disable-next-line no-control-regex
  if (typeof name !== 'string' || name.trim() === '' || name.length > NAME_MAX || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new AppError('validation_failed', `name must be 1 to ${NAME_MAX} characters without control characters`);
  }
  if (b.read_only !== undefined && typeof b.read_only !== 'boolean') throw new AppError('validation_failed', 'read_only must be true or false');
  if (b.kind !== undefined && b.kind !== 'admin' && b.kind !== 'tenant') throw new AppError('validation_failed', 'kind must be admin or tenant');
  if (b.tenant_id !== undefined && b.tenant_id !== null && (typeof b.tenant_id !== 'string' || !UUID.test(b.tenant_id))) {
    throw new AppError('validation_failed', 'tenant_id must be a tenant id');
  }
  return {
    name: name.trim(),
    readOnly: (b.read_only as boolean | undefined) ?? false,
    ...(b.kind !== undefined && { kind: b.kind as KeyKind }),
    ...(typeof b.tenant_id === 'string' && { tenantId: b.tenant_id }),
  };
}

function pageOf(c: Context) {
  const raw = c.req.query('limit');
  const limit = raw === undefined ? 50 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new AppError('bad_request', 'limit must be an integer from 1 to 200');
  const cursor = c.req.query('cursor');
  if (!cursor) return { limit, after: null };
  const [ms, id] = cursor.split('_');
  if (!/^\d{1,15}$/.test(ms ?? '') || !UUID.test(id ?? '')) throw new AppError('bad_request', 'cursor must be a next_cursor value');
  return { limit, after: { createdAt: new Date(Number(ms)), id: id! } };
}

/** `/api/v1/keys`: list, create (the plain key shown once), revoke. */
export function keyRoutes(deps: { db: Kysely<Database>; clock: Clock; logger: Logger; keys: KeyService }): OpenAPIHono<AppEnv> {
  const { keys, clock } = deps;
  const app = apiRouter<AppEnv>();
  const auth = requireApiKey(deps.db);

  operation(
    app,
    {
      method: 'get',
      path: '/api/v1/keys',
      operationId: 'listKeys',
      summary: "API keys, oldest first (the admin key: every key; a tenant key: its tenant's)",
      middleware: auth,
      request: { query: TenantQuery.extend(pageQuery(200)) },
      responses: { 200: jsonResponse(listOf(Key), 'A page of keys'), ...errors({ 403: 'A tenant key naming another tenant' }) },
    },
    async (c) => {
      const { limit, after } = pageOf(c);
      const rows = await keys.list(c.get('principal'), namedTenant(c), after, limit);
      const last = rows[rows.length - 1];
      return c.json({ data: rows.map(keyJson), next_cursor: rows.length === limit && last ? `${last.created_at.getTime()}_${last.id}` : null });
    },
  );

  // The plain key is in this answer only; a replay of the same Idempotency-Key answers without it.
  operation(
    app,
    {
      method: 'post',
      path: '/api/v1/keys',
      operationId: 'createKey',
      summary: 'Create an API key; the plain key is in this answer only (stored hashed)',
      middleware: [auth, idempotency(deps)],
      request: { headers: IdempotencyHeader, body: requestJson(CreateKey) },
      responses: {
        201: jsonResponse(Key.extend({ key: z.string().openapi({ description: 'The plain key, shown this once' }) }), 'The key'),
        ...errors({ 400: 'Bad field, or no such tenant', 403: 'A read-only key; a tenant key asking for an admin key or another tenant' }),
      },
    },
    async (c) => {
      const { key, plain } = await keys.create(c.get('principal'), createRequest(await readJsonObject(c)), clock.now());
      return respondWithSecrets(c, 201, { ...keyJson(key), key: plain }, ['key']);
    },
  );

  operation(
    app,
    {
      method: 'delete',
      path: '/api/v1/keys/{id}',
      operationId: 'revokeKey',
      summary: 'Revoke an API key: its next request is 401',
      middleware: auth,
      request: { params: pathParams({ id: 'uuid' }) },
      responses: {
        200: jsonResponse(Key, 'The revoked key'),
        ...errors({ 404: "No such key (another tenant's key is not found)", 409: 'The key configured in OVERDUE_ADMIN_KEY: change the configuration instead' }),
      },
    },
    async (c) => {
      const id = c.req.param('id')!;
      if (!UUID.test(id)) throw new AppError('not_found', `no API key ${id}`);
      return c.json(keyJson(await keys.revoke(c.get('principal'), id, clock.now())));
    },
  );

  return app;
}
