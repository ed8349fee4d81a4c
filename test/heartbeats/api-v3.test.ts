import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueKey } from '../../src/heartbeats/manage-store.js';
import { testOverdue, type TestOverdue } from '../support/app.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { json } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';

describe(`healthchecks v3 management API on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let admin: string;
  const tenantA = randomUUID();
  const tenantB = randomUUID();
  const keys: Record<string, string> = {};

  async function addKey(name: string, tenantId: string, readOnly = false) {
    keys[name] = await insertApiKey(t.db, { kind: 'tenant', tenantId, readOnly }, o.clock.now());
  }
  const call = (path: string, init: { method?: string; key?: string; body?: unknown } = {}) =>
    o.app.request(`/api/v3${path}`, {
      method: init.method ?? 'GET',
      headers: { ...(init.key && { 'X-Api-Key': init.key }), 'content-type': 'application/json' },
      ...(init.body !== undefined && { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
    });

  beforeAll(async () => {
    t = await testDatabase();
    o = testOverdue({ database: t, env: { PUBLIC_URL: 'https://overdue.example' } });
    admin = (await o.start()).generatedAdminKey!;
    await addKey('a', tenantA);
    await addKey('a-ro', tenantA, true);
    await addKey('b', tenantB);
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('creates a simple check with defaults and healthchecks fields', async () => {
    const res = await call('/checks/', { method: 'POST', key: keys.a, body: { name: 'Backups', tags: 'prod db', timeout: 3600, grace: 60 } });
    expect(res.status).toBe(201);
    const c = await json(res);
    expect(c).toMatchObject({
      name: 'Backups',
      slug: '',
      tags: 'prod db',
      desc: '',
      grace: 60,
      timeout: 3600,
      n_pings: 0,
      status: 'new',
      started: false,
      last_ping: null,
      next_ping: null,
      manual_resume: false,
      methods: '',
      channels: '',
      tenant_id: tenantA,
      failure_threshold: 1,
      recovery_threshold: 1,
    });
    expect(c.ping_url).toBe(`https://overdue.example/ping/${c.uuid}`);
    expect(c.update_url).toBe(`https://overdue.example/api/v3/checks/${c.uuid}`);
    expect(c.pause_url).toBe(`${c.update_url}/pause`);
    expect(c).not.toHaveProperty('schedule');
  });

  it('a schedule makes a cron check; bad values get healthchecks error texts and change nothing', async () => {
    const ok = await call('/checks/', { method: 'POST', key: keys.a, body: { name: 'nightly', schedule: '0 2 * * *', tz: 'America/Chicago', grace: 1800 } });
    expect(ok.status).toBe(201);
    expect(await json(ok)).toMatchObject({ schedule: '0 2 * * *', tz: 'America/Chicago', kind: 'cron' });

    // Only this tenant's checks: Overdue's own job checks may appear at any time in the background.
    const count = async () => (await t.db.selectFrom('checks').select('id').where('tenant_id', '=', tenantA).execute()).length;
    const before = await count();
    const cases: [unknown, string][] = [
      ['{not json', 'could not parse request body'],
      [[1, 2], 'json validation error: value is not an object'],
      [{ timeout: 0 }, 'json validation error: timeout is too small'],
      [{ timeout: 31_536_001 }, 'json validation error: timeout is too large'],
      [{ grace: 'soon' }, 'json validation error: grace is not a number'],
      [{ name: null }, 'json validation error: name is not a string'],
      [{ name: 'x'.repeat(101) }, 'json validation error: name is too long'],
      [{ slug: 'Has Caps' }, 'json validation error: slug does not match pattern'],
      [{ methods: 'GET' }, 'json validation error: methods has unexpected value'],
      [{ manual_resume: 'yes' }, 'json validation error: manual_resume is not a boolean'],
      [{ schedule: '@daily' }, 'schedule is not a valid cron or OnCalendar expression'],
      [{ schedule: '0 2 * *' }, 'schedule is not a valid cron or OnCalendar expression'],
      [{ schedule: '0 2 * * *', tz: 'Mars/Olympus' }, 'tz is not a valid timezone'],
      [{ unique: ['desc'] }, 'json validation error: unique has unexpected value'],
    ];
    for (const [body, error] of cases) {
      const res = await call('/checks/', { method: 'POST', key: keys.a, body });
      expect([JSON.stringify(body), res.status, await json(res)]).toEqual([JSON.stringify(body), 400, { error }]);
    }
    expect(await count()).toBe(before);
  });

  it('unique turns create into an upsert', async () => {
    const first = await call('/checks/', { method: 'POST', key: keys.a, body: { name: 'dedupe-me', timeout: 60 } });
    expect(first.status).toBe(201);
    const again = await call('/checks/', { method: 'POST', key: keys.a, body: { name: 'dedupe-me', timeout: 120, unique: ['name'] } });
    expect(again.status).toBe(200);
    const [a, b] = [await json(first), await json(again)];
    expect(b.uuid).toBe(a.uuid);
    expect(b.timeout).toBe(120);
  });

  it('keys: missing, wrong, read-only on write; tenants see only their checks (others are 404)', async () => {
    expect(await json(await call('/checks/'))).toEqual({ error: 'missing api key' });
    expect((await call('/checks/')).status).toBe(401);
    const wrong = await call('/checks/', { key: 'od_tenant_nope' });
    expect([wrong.status, await json(wrong)]).toEqual([401, { error: 'wrong api key' }]);
    const ro = await call('/checks/', { method: 'POST', key: keys['a-ro'], body: { name: 'x' } });
    expect([ro.status, await json(ro)]).toEqual([401, { error: 'wrong api key' }]);
    // api_key in the body works for writes
    const viaBody = await call('/checks/', { method: 'POST', body: { api_key: keys.b, name: 'b-only' } });
    expect(viaBody.status).toBe(201);
    const bCheck = await json(viaBody);

    const listA = (await json(await call('/checks/', { key: keys.a }))).checks;
    expect(listA.length).toBeGreaterThan(0);
    expect(listA.every((c: any) => c.tenant_id === tenantA)).toBe(true);
    expect((await call(`/checks/${bCheck.uuid}`, { key: keys.a })).status).toBe(404);
    expect((await call(`/checks/${bCheck.uuid}`, { method: 'DELETE', key: keys.a })).status).toBe(404);
    expect((await call(`/checks/${bCheck.uuid}/pause`, { method: 'POST', key: keys.a })).status).toBe(404);
    const all = (await json(await call('/checks/', { key: admin }))).checks;
    expect(all.map((c: any) => c.uuid)).toContain(bCheck.uuid);
  });

  it('read-only keys see unique_key instead of URLs, and can fetch by it', async () => {
    const list = (await json(await call('/checks/', { key: keys['a-ro'] }))).checks;
    const c = list[0];
    expect(c).not.toHaveProperty('uuid');
    expect(c).not.toHaveProperty('ping_url');
    expect(c.unique_key).toMatch(/^[0-9a-f]{40}$/);
    const id = (await t.db.selectFrom('checks').select('id').where('tenant_id', '=', tenantA).orderBy('created_at').orderBy('id').executeTakeFirstOrThrow()).id;
    expect(c.unique_key).toBe(uniqueKey(id));
    const byKey = await call(`/checks/${c.unique_key}`, { key: keys['a-ro'] });
    expect(byKey.status).toBe(200);
    expect((await json(byKey)).name).toBe(c.name);
  });

  it('filters by tag (ANDed) and slug', async () => {
    await call('/checks/', { method: 'POST', key: keys.b, body: { name: 'web', slug: 'web', tags: 'prod web' } });
    await call('/checks/', { method: 'POST', key: keys.b, body: { name: 'web-staging', slug: 'web-staging', tags: 'staging web' } });
    const names = async (q: string) => (await json(await call(`/checks/${q}`, { key: keys.b }))).checks.map((c: any) => c.name).sort();
    expect(await names('?tag=web')).toEqual(['web', 'web-staging']);
    expect(await names('?tag=web&tag=prod')).toEqual(['web']);
    expect(await names('?slug=web-staging')).toEqual(['web-staging']);
  });

  it('update recomputes the deadline; pause and resume follow healthchecks; delete returns the check', async () => {
    const c = await json(await call('/checks/', { method: 'POST', key: keys.a, body: { name: 'lifecycle', timeout: 60, grace: 60 } }));
    await o.app.request(`/ping/${c.uuid}`);
    const before = await t.db.selectFrom('checks').select('alert_after').where('id', '=', c.uuid).executeTakeFirstOrThrow();
    const upd = await call(`/checks/${c.uuid}`, { method: 'POST', key: keys.a, body: { timeout: 600 } });
    expect(upd.status).toBe(200);
    const after = await t.db.selectFrom('checks').select('alert_after').where('id', '=', c.uuid).executeTakeFirstOrThrow();
    expect(after.alert_after!.getTime() - before.alert_after!.getTime()).toBe(540_000);
    expect((await json(upd)).next_ping).not.toBeNull();

    const notPaused = await call(`/checks/${c.uuid}/resume`, { method: 'POST', key: keys.a });
    expect([notPaused.status, await json(notPaused)]).toEqual([409, { error: 'check is not paused' }]);
    const paused = await json(await call(`/checks/${c.uuid}/pause`, { method: 'POST', key: keys.a }));
    expect(paused.status).toBe('paused');
    expect((await call(`/checks/${c.uuid}/pause`, { method: 'POST', key: keys.a })).status).toBe(200);
    const resumed = await json(await call(`/checks/${c.uuid}/resume`, { method: 'POST', key: keys.a }));
    expect(resumed).toMatchObject({ status: 'new', last_ping: null });
    const flips = await t.db.selectFrom('flips').select(['old_status', 'new_status', 'processed']).where('check_id', '=', c.uuid).orderBy('id').execute();
    expect(flips.map((f) => [f.old_status, f.new_status])).toEqual([
      ['new', 'up'],
      ['up', 'paused'],
      ['paused', 'new'],
    ]);
    expect(flips.every((f) => f.processed !== null)).toBe(true);

    const del = await call(`/checks/${c.uuid}`, { method: 'DELETE', key: keys.a });
    expect([del.status, (await json(del)).name]).toEqual([200, 'lifecycle']);
    expect((await call(`/checks/${c.uuid}`, { key: keys.a })).status).toBe(404);
  });

  it('pings list with durations and bodies; flips list', async () => {
    const c = await json(await call('/checks/', { method: 'POST', key: keys.a, body: { name: 'pinged', timeout: 60, grace: 60 } }));
    const rid = randomUUID();
    await o.app.request(`/ping/${c.uuid}/start?rid=${rid}`);
    await o.clock.advance(2_500);
    await o.app.request(`/ping/${c.uuid}?rid=${rid}`, { method: 'POST', body: 'done' });
    await o.app.request(`/ping/${c.uuid}/fail`, { headers: { 'user-agent': 'curl/8' } });

    const res = await call(`/checks/${c.uuid}/pings/`, { key: keys.a });
    expect(res.status).toBe(200);
    const { pings } = await json(res);
    expect(pings.map((p: any) => [p.type, p.n])).toEqual([
      ['fail', 3],
      ['success', 2],
      ['start', 1],
    ]);
    expect(pings[1]).toMatchObject({ rid, duration: 2.5, method: 'POST', body_url: `https://overdue.example/api/v3/checks/${c.uuid}/pings/2/body` });
    expect(pings[1].date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    expect(pings[0]).toMatchObject({ ua: 'curl/8', body_url: null });
    expect(pings[0]).not.toHaveProperty('duration');

    const body = await call(`/checks/${c.uuid}/pings/2/body`, { key: keys.a });
    expect([body.status, body.headers.get('content-type'), await body.text()]).toEqual([200, 'text/plain', 'done']);
    expect((await call(`/checks/${c.uuid}/pings/3/body`, { key: keys.a })).status).toBe(404);
    expect((await call(`/checks/${c.uuid}/pings/`, { key: keys['a-ro'] })).status).toBe(401);

    const flips = await json(await call(`/checks/${c.uuid}/flips/`, { key: keys['a-ro'] }));
    expect(flips.flips.map((f: any) => f.up)).toEqual([0, 1]);
    expect(flips.flips[0].timestamp).toMatch(/\+00:00$/);
    expect((await call(`/checks/${c.uuid}/flips/?seconds=abc`, { key: keys.a })).status).toBe(400);
    // The check is resolved first: an unknown (or another tenant's) check is a 404 whatever the range.
    expect((await call(`/checks/00000000-0000-4000-8000-000000000000/flips/?seconds=abc`, { key: keys.a })).status).toBe(404);
    expect((await call(`/checks/${c.uuid}/flips/?seconds=abc`, { key: keys.b })).status).toBe(404);
  });

  it('CORS, OPTIONS 204, 405 for methods a route does not serve, /status/', async () => {
    const pre = await o.app.request('/api/v3/checks/', { method: 'OPTIONS' });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toBe('X-Api-Key');
    expect(pre.headers.get('access-control-max-age')).toBe('600');
    const list = await call('/checks/', { key: admin });
    expect(list.headers.get('access-control-allow-origin')).toBe('*');
    expect((await call('/checks/', { method: 'PUT', key: admin })).status).toBe(405);
    const status = await o.app.request('/api/v3/status/');
    expect([status.status, await status.text()]).toEqual([200, 'OK']);
  });
});
