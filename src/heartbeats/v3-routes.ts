import { Hono, type Context } from 'hono';
import type { Principal } from '../auth/store.js';
import type { Clock } from '../clock.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { RETRY_AFTER_S } from '../http/errors.js';
import type { Logger } from '../logger.js';
import type { Scope } from './manage-store.js';
import type { CheckManagement } from './management.js';
import { checkJson, isoSeconds, pingsJson } from './v3-format.js';
import { validateCheckSpec } from './v3-validate.js';

type Env = { Variables: { principal: Principal; body: unknown } };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * healthchecks' Management API v3 under /api/v3: same paths, fields and error
 * shapes (`{"error": "..."}`), so its clients work unchanged. Keys are ours
 * (hashed, admin or tenant-scoped, optionally read-only); a tenant key sees
 * only its tenant's checks, and other checks answer 404.
 */
export function v3Routes(deps: { manage: CheckManagement; clock: Clock; logger: Logger; publicUrl: string }): Hono<Env> {
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
  const show = (c: Context<Env>, row: Parameters<typeof checkJson>[0]) =>
    checkJson(row, clock.now(), { publicUrl: deps.publicUrl, readOnly: c.get('principal').readOnly });
  const notFound = (c: Context) => c.json({ error: 'not found' }, 404);

  const list = async (c: Context<Env>) => {
    const rows = await manage.list(scopeOf(c), { tags: c.req.queries('tag') ?? [], slug: c.req.query('slug') });
    return c.json({ checks: rows.map((r) => show(c, r)) });
  };
  const create = async (c: Context<Env>) => {
    const result = validateCheckSpec(c.get('body'));
    if ('error' in result) return c.json({ error: result.error }, 400);
    const { row, created } = await manage.create(scopeOf(c), result.spec);
    return c.json(show(c, row), created ? 201 : 200);
  };
  app.get('/checks/', auth(false), list);
  app.get('/checks', auth(false), list);
  app.post('/checks/', auth(true), create);
  app.post('/checks', auth(true), create);

  app.get('/checks/:code', auth(false), async (c) => {
    const row = await manage.get(scopeOf(c), param(c, 'code'));
    return row ? c.json(show(c, row)) : notFound(c);
  });
  app.post('/checks/:code', auth(true), async (c) => {
    const id = param(c, 'code');
    if (!UUID.test(id)) return notFound(c);
    const result = validateCheckSpec(c.get('body'));
    if ('error' in result) return c.json({ error: result.error }, 400);
    const row = await manage.update(scopeOf(c), id, result.spec);
    return row ? c.json(show(c, row)) : notFound(c);
  });
  app.delete('/checks/:code', auth(true), async (c) => {
    const id = param(c, 'code');
    const row = UUID.test(id) ? await manage.remove(scopeOf(c), id) : undefined;
    return row ? c.json(show(c, row)) : notFound(c);
  });

  for (const action of ['pause', 'resume'] as const) {
    app.post(`/checks/:code/${action}`, auth(true), async (c) => {
      const id = param(c, 'code');
      const row = UUID.test(id) ? await manage.setPaused(scopeOf(c), id, action === 'pause') : undefined;
      if (row === 'not_paused') return c.json({ error: 'check is not paused' }, 409);
      return row ? c.json(show(c, row)) : notFound(c);
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

  // Overdue has no healthchecks notification channels; the list is empty.
  app.get('/channels/', auth(true), (c) => c.json({ channels: [] }));

  app.get('/status/', async (c) => {
    await manage.ready();
    return c.text('OK');
  });

  app.all('*', (c) => (c.req.method === 'GET' || c.req.method === 'POST' || c.req.method === 'DELETE' ? notFound(c) : c.json({ error: 'method not allowed' }, 405)));
  return app;
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
