import { Hono, type Context } from 'hono';
import type { Principal } from '../auth/store.js';
import type { Clock } from '../clock.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { RETRY_AFTER_S } from '../http/errors.js';
import { hostileJsonString } from '../http/json-body.js';
import type { Logger } from '../logger.js';
import type { Badges } from './badge-service.js';
import { checkSource, type ChannelRouting } from './channel-routing.js';
import type { Scope } from './manage-store.js';
import { DurationBoundsError } from './manage.js';
import type { CheckManagement } from './management.js';
import { checksMetricsText } from './prometheus.js';
import type { CheckRow } from './store.js';
import { checkJson, isoSeconds, pingsJson } from './v3-format.js';
import { validateCheckSpec } from './v3-validate.js';
import { parseScheduledFor } from './ping-rules.js';

type Env = { Variables: { principal: Principal; body: unknown } };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * healthchecks' Management API v3 under /api/v3: same paths, fields and error
 * shapes (`{"error": "..."}`), so its clients work unchanged. Keys are ours
 * (hashed, admin or tenant-scoped, optionally read-only); a tenant key sees
 * only its tenant's checks, and other checks answer 404.
 */
export function v3Routes(deps: { manage: CheckManagement; routing: ChannelRouting; badges: Badges; clock: Clock; logger: Logger; publicUrl: string }): Hono<Env> {
  const { manage, clock } = deps;
  const app = new Hono<Env>().basePath('/api/v3');
  // Errors keep healthchecks' shape here; anything else goes on to the app's handler.
  app.onError((err, c) => {
    if (!isDatabaseUnavailable(err)) throw err;
    deps.logger.error({ err, method: c.req.method, route: c.req.routePath }, 'database unavailable; answered 503');
    c.header('Retry-After', String(RETRY_AFTER_S));
    return c.json({ error: 'service unavailable, retry later' }, 503);
  });

  app.use('*', async (c, next) => {
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Access-Control-Allow-Headers', 'X-Api-Key');
    c.header('Access-Control-Max-Age', '600');
    if (c.req.method === 'OPTIONS') return c.body(null, 204);
    await next();
  });

  /** Read routes take any key; write routes refuse read-only keys and also accept `api_key` in the JSON body. */
  const auth = (write: boolean) => async (c: Context<Env>, next: () => Promise<void>) => {
    let key = c.req.header('x-api-key');
    if (write && ['POST', 'PUT', 'PATCH'].includes(c.req.method)) {
      let body: unknown = {};
      const text = await c.req.text();
      if (text.trim() !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          return c.json({ error: 'could not parse request body' }, 400);
        }
        const hostile = hostileJsonString(body);
        if (hostile) return c.json({ error: `json validation error: ${hostile.path} ${hostile.reason}` }, 400);
      }
      c.set('body', body);
      if (!key && body && typeof body === 'object' && typeof (body as { api_key?: unknown }).api_key === 'string') {
        key = (body as { api_key: string }).api_key;
      }
    }
    if (!key) return c.json({ error: 'missing api key' }, 401);
    const principal = await manage.principalFor(key);
    if (!principal || (write && principal.readOnly)) return c.json({ error: 'wrong api key' }, 401);
    c.set('principal', principal);
    await next();
  };
  const scopeOf = (c: Context<Env>): Scope => {
    const p = c.get('principal');
    return { admin: p.kind === 'admin', tenantId: p.tenantId };
  };
  type Row = Parameters<typeof checkJson>[0];
  /** Each check's channels, as healthchecks shows them: comma-separated ids. */
  const channelsOf = async (rows: Row[]): Promise<Map<string, string>> => {
    const out = new Map<string, string>();
    const byOwner = new Map<string | null, Row[]>();
    for (const r of rows) byOwner.set(r.tenant_id, [...(byOwner.get(r.tenant_id) ?? []), r]);
    for (const [tenantId, owned] of byOwner) {
      const routed = await deps.routing.effective({ tenantId }, owned.map((r) => checkSource(r.id)));
      for (const r of owned) out.set(r.id, (routed.get(checkSource(r.id)) ?? []).join(','));
    }
    return out;
  };
  const showAll = async (c: Context<Env>, rows: Row[]) => {
    const channels = await channelsOf(rows);
    return rows.map((row) => checkJson(row, clock.now(), { publicUrl: deps.publicUrl, readOnly: c.get('principal').readOnly, channels: channels.get(row.id) ?? '' }));
  };
  const show = async (c: Context<Env>, row: Row) => (await showAll(c, [row]))[0]!;
  const notFound = (c: Context) => c.json({ error: 'not found' }, 404);
  /** `channels` of a create or update body: the owner's channel ids to route to, undefined when absent, or the 400 text. */
  const channelsIn = async (c: Context<Env>, tenantId: string | null): Promise<string[] | undefined | { error: string }> => {
    const spec = (c.get('body') as { channels?: unknown } | null)?.channels;
    return typeof spec === 'string' ? deps.routing.resolve({ tenantId }, spec) : undefined;
  };

  const list = async (c: Context<Env>) => {
    const rows = await manage.list(scopeOf(c), { tags: c.req.queries('tag') ?? [], slug: c.req.query('slug') });
    return c.json({ checks: await showAll(c, rows) });
  };
  const create = async (c: Context<Env>) => {
    const result = validateCheckSpec(c.get('body'));
    if ('error' in result) return c.json({ error: result.error }, 400);
    const channels = await channelsIn(c, c.get('principal').tenantId);
    if (channels && 'error' in channels) return c.json({ error: channels.error }, 400);
    let made: Awaited<ReturnType<CheckManagement['create']>>;
    try {
      made = await manage.create(scopeOf(c), result.spec);
    } catch (err) {
      // `unique` matched a check whose other bound does not fit this one.
      if (err instanceof DurationBoundsError) return c.json({ error: err.message }, 400);
      throw err;
    }
    const { row, created } = made;
    // Without `channels`, a check alerts its owner's default channels (healthchecks: "default for new checks").
    if (channels) await deps.routing.route(checkSource(row.id), { tenantId: row.tenant_id }, channels);
    return c.json(await show(c, row), created ? 201 : 200);
  };
  app.get('/checks/', auth(false), list);
  app.get('/checks', auth(false), list);
  app.post('/checks/', auth(true), create);
  app.post('/checks', auth(true), create);

  app.get('/checks/:code', auth(false), async (c) => {
    const row = await manage.get(scopeOf(c), param(c, 'code'));
    return row ? c.json(await show(c, row)) : notFound(c);
  });
  app.post('/checks/:code', auth(true), async (c) => {
    const id = param(c, 'code');
    if (!UUID.test(id)) return notFound(c);
    const result = validateCheckSpec(c.get('body'));
    if ('error' in result) return c.json({ error: result.error }, 400);
    const existing = await manage.get(scopeOf(c), id);
    if (!existing) return notFound(c);
    const channels = await channelsIn(c, existing.tenant_id);
    if (channels && 'error' in channels) return c.json({ error: channels.error }, 400);
    let row: CheckRow | undefined;
    try {
      row = await manage.update(scopeOf(c), id, result.spec);
    } catch (err) {
      // One bound may be set alone: it must still fit the other one the check has.
      if (err instanceof DurationBoundsError) return c.json({ error: err.message }, 400);
      throw err;
    }
    if (row && channels) await deps.routing.route(checkSource(row.id), { tenantId: row.tenant_id }, channels);
    return row ? c.json(await show(c, row)) : notFound(c);
  });
  app.delete('/checks/:code', auth(true), async (c) => {
    const id = param(c, 'code');
    const row = UUID.test(id) ? await manage.remove(scopeOf(c), id) : undefined;
    return row ? c.json(await show(c, row)) : notFound(c);
  });

  for (const action of ['pause', 'resume'] as const) {
    app.post(`/checks/:code/${action}`, auth(true), async (c) => {
      const id = param(c, 'code');
      let until: Date | null = null;
      if (action === 'pause') {
        const parsed = pauseUntil(c.get('body'), clock.now());
        if (typeof parsed === 'string') return c.json({ error: parsed }, 400);
        until = parsed;
      }
      const row = UUID.test(id) ? await manage.setPaused(scopeOf(c), id, action === 'pause', until) : undefined;
      if (row === 'not_paused') return c.json({ error: 'check is not paused' }, 409);
      return row ? c.json(await show(c, row)) : notFound(c);
    });
  }

  app.get('/checks/:code/pings/', auth(true), async (c) => {
    const id = param(c, 'code');
    const pings = UUID.test(id) ? await manage.pings(scopeOf(c), id) : undefined;
    if (!pings) return notFound(c);
    return c.json({ pings: pingsJson(pings, id, deps.publicUrl) });
  });
  app.get('/checks/:code/pings/:n/body', auth(true), async (c) => {
    const id = param(c, 'code');
    const n = param(c, 'n');
    const body = UUID.test(id) && /^[0-9]{1,18}$/.test(n) ? await manage.pingBody(scopeOf(c), id, Number(n)) : undefined;
    if (!body) return notFound(c);
    return c.body(body as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': 'text/plain' });
  });

  const flips = async (c: Context<Env>) => {
    // As healthchecks: an unknown check is a 404 before a bad range is a 400.
    const check = await manage.get(scopeOf(c), param(c, 'code'));
    if (!check) return notFound(c);
    const range = flipRange(c, clock.now());
    if ('error' in range) return c.json({ error: range.error }, 400);
    const rows = await manage.flips(check, range);
    return c.json({ flips: rows.map((f) => ({ timestamp: isoSeconds(f.created), up: f.new_status === 'down' ? 0 : 1 })) });
  };
  app.get('/checks/:code/flips/', auth(false), flips);
  app.get('/checks/:code/flips', auth(false), flips);

  // The key's alert channels (healthchecks' integrations), with healthchecks' kind names.
  const V3_KIND: Record<string, string> = { pagerduty: 'pd', msteams: 'msteamsw' };
  app.get('/channels/', auth(true), async (c) => {
    const channels = await deps.routing.catalog({ tenantId: c.get('principal').tenantId });
    return c.json({ channels: channels.map((ch) => ({ id: ch.id, name: ch.name, kind: V3_KIND[ch.kind] ?? ch.kind })) });
  });

  // The owner's badges: a tenant key's tenant, the admin key's the platform's own checks.
  const badges = async (c: Context<Env>) => c.json({ badges: await deps.badges.list(c.get('principal').tenantId) });
  app.get('/badges/', auth(false), badges);
  app.get('/badges', auth(false), badges);

  // The checks the key lists (as GET /checks/), in Prometheus text with healthchecks' metric names.
  const metrics = async (c: Context<Env>) => {
    const rows = await manage.list(scopeOf(c), { tags: [] });
    return c.body(checksMetricsText(rows, clock.now()), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
  };
  app.get('/metrics/', auth(false), metrics);
  app.get('/metrics', auth(false), metrics);

  app.get('/status/', async (c) => {
    await manage.ready();
    return c.text('OK');
  });

  app.all('*', (c) => (c.req.method === 'GET' || c.req.method === 'POST' || c.req.method === 'DELETE' ? notFound(c) : c.json({ error: 'method not allowed' }, 405)));
  return app;
}

/** A timed pause lasts at most this long. */
export const MAX_PAUSE_MS = 365 * 86_400_000;

/** The end of a pause from the body: null without one; else an RFC 3339 instant after now and within a year, or the 400 text. */
function pauseUntil(body: unknown, now: Date): Date | null | string {
  const raw = body && typeof body === 'object' ? (body as { until?: unknown }).until : undefined;
  if (raw === undefined || raw === null) return null;
  const at = typeof raw === 'string' && !/^[0-9]+$/.test(raw) ? parseScheduledFor(raw) : 'invalid';
  if (at === 'invalid' || at === null) return 'json validation error: until is not an RFC 3339 date-time with an offset';
  if (at <= now) return 'json validation error: until must be in the future';
  if (at.getTime() - now.getTime() > MAX_PAUSE_MS) return 'json validation error: until must be within a year';
  return at;
}

/** `?seconds=` (the last N seconds) or `?start=` / `?end=` (Unix seconds). */
function flipRange(c: Context, now: Date): { from?: Date; to?: Date } | { error: string } {
  const int = (name: string) => {
    const v = c.req.query(name);
    if (v === undefined) return undefined;
    return /^[0-9]{1,12}$/.test(v) ? Number(v) : null;
  };
  const seconds = int('seconds');
  const start = int('start');
  const end = int('end');
  if (seconds === null) return { error: 'invalid seconds' };
  if (start === null) return { error: 'invalid start' };
  if (end === null) return { error: 'invalid end' };
  if (seconds !== undefined && (start !== undefined || end !== undefined)) return { error: 'seconds cannot be combined with start or end' };
  if (seconds !== undefined) return { from: new Date(now.getTime() - seconds * 1000) };
  return { ...(start !== undefined && { from: new Date(start * 1000) }), ...(end !== undefined && { to: new Date(end * 1000) }) };
}

function param(c: Context, name: string): string {
  return c.req.param(name) ?? '';
}
