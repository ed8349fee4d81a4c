import { Hono, type Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { readJsonObject } from '../http/json-body.js';
import { requireApiKey } from '../http/middleware/api-key.js';
import { idempotency } from '../http/middleware/idempotency.js';
import type { Logger } from '../logger.js';
import type { KeyKind } from './keys.js';
import type { KeyService } from './service.js';
import { respondWithSecrets } from './shown-once.js';
import type { ApiKeyRow } from './store.js';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NAME_MAX = 100;
const CREATE_FIELDS = ['name', 'read_only', 'tenant_id', 'kind'];

export function keyJson(k: ApiKeyRow) {
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
export function keyRoutes(deps: { db: Kysely<Database>; clock: Clock; logger: Logger; keys: KeyService }): Hono<AppEnv> {
  const { keys, clock } = deps;
  const app = new Hono<AppEnv>();
  const auth = requireApiKey(deps.db);

  app.get('/api/v1/keys', auth, async (c) => {
    const { limit, after } = pageOf(c);
    const rows = await keys.list(c.get('principal'), namedTenant(c), after, limit);
    const last = rows[rows.length - 1];
    return c.json({ data: rows.map(keyJson), next_cursor: rows.length === limit && last ? `${last.created_at.getTime()}_${last.id}` : null });
  });

  // The plain key is in this answer only; a replay of the same Idempotency-Key answers without it.
  app.post('/api/v1/keys', auth, idempotency(deps), async (c) => {
    const { key, plain } = await keys.create(c.get('principal'), createRequest(await readJsonObject(c)), clock.now());
    return respondWithSecrets(c, 201, { ...keyJson(key), key: plain }, ['key']);
  });

  app.delete('/api/v1/keys/:id', auth, async (c) => {
    const id = c.req.param('id');
    if (!UUID.test(id)) throw new AppError('not_found', `no API key ${id}`);
    return c.json(keyJson(await keys.revoke(c.get('principal'), id, clock.now())));
  });

  return app;
}
