import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../support/http.js';
import { newTenant } from '../support/tenants.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { consoleClient } from '../support/console.js';
import { insertApiKey } from '../support/keys.js';

describe(`console sign-in and sessions on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let clock: ManualClock;
  let acme: { id: string; api_key: string };
  let globex: { id: string; api_key: string };
  let readOnly: string;

  const v3 = (key: string, body: unknown) =>
    Promise.resolve(o.app.request('/api/v3/checks/', { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body) })).then((r: Response) => r.json() as Promise<{ uuid: string }>);

  beforeAll(async () => {
    t = await testDatabase();
    clock = new ManualClock(new Date('2026-12-01T10:00:00Z'));
    o = await drivenOverdue({ database: t, clock, env: { PUBLIC_URL: 'https://overdue.example' } });
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    const api = apiClient(o, () => admin);
    acme = await newTenant(api, 'acme');
    globex = await newTenant(api, 'globex');
    readOnly = await insertApiKey(t.db, { kind: 'tenant', tenantId: acme.id, readOnly: true }, clock.now());
    const late = await v3(acme.api_key, { name: 'acme-nightly-backup', timeout: 60, grace: 60 });
    await o.app.request(`/ping/${late.uuid}`, { method: 'POST', body: 'dump ok' });
    await v3(acme.api_key, { name: 'acme-fine', timeout: 86_400, grace: 60 });
    await v3(globex.api_key, { name: 'globex-secret-job', timeout: 60, grace: 60 });
    await clock.jump(new Date(clock.now().getTime() + 180_000));
    await o.alerts.tick();
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('sends an unsigned visitor to the sign-in form; a bad key is 401 and sets no cookie', async () => {
    const c = consoleClient(o);
    const first = await c.request('GET', '/console');
    expect(first.status).toBe(303);
    expect(first.location).toBe('/console/login');
    const form = await c.request('GET', '/console/login');
    expect(form.text).toContain('name="key"');
    const bad = await c.signIn('od_tenant_not-a-key');
    expect(bad.status).toBe(401);
    expect(bad.setCookie).toBeNull();
    expect(JSON.stringify(o.logs)).not.toContain('od_tenant_not-a-key');
  });

  it('signs in with a tenant key: an HttpOnly, SameSite=Lax, Secure cookie; the down check is at the top of the overview; no other tenant anywhere', async () => {
    const c = consoleClient(o);
    const res = await c.signIn(acme.api_key);
    expect(res.status).toBe(303);
    expect(res.location).toBe('/console');
    expect(res.setCookie).toMatch(/HttpOnly/i);
    expect(res.setCookie).toMatch(/SameSite=Lax/i);
    expect(res.setCookie).toMatch(/Secure/i);
    expect(res.setCookie).toMatch(/Path=\/console/);
    const stored = await t.db.selectFrom('console_sessions').select('id_hash').execute();
    expect(stored.map((s) => s.id_hash)).not.toContain(c.cookie.split('=')[1]);
    const overview = await c.request('GET', '/console');
    expect(overview.status).toBe(200);
    expect(overview.text).toContain('<h1>What needs attention</h1>');
    const failing = overview.text.slice(overview.text.indexOf('Failing checks'));
    expect(failing).toContain('acme-nightly-backup');
    expect(failing).not.toContain('acme-fine');
    for (const path of ['/console', '/console/checks', '/console/checks?state=down']) {
      expect((await c.request('GET', path)).text).not.toContain('globex');
    }
    const list = await c.request('GET', '/console/checks');
    expect(list.text.indexOf('acme-nightly-backup')).toBeLessThan(list.text.indexOf('acme-fine'));
  });

  it('a check page shows its ping log; pause and resume need the CSRF token; another tenant\'s check is a 404', async () => {
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    const list = await c.request('GET', '/console/checks?q=nightly');
    const id = /href="\/console\/checks\/([0-9a-f-]{36})"/.exec(list.text)![1]!;
    const page = await c.request('GET', `/console/checks/${id}`);
    expect(page.text).toContain('Ping log');
    expect(page.text).toContain('dump ok');
    expect(page.text).toContain(`https://overdue.example/ping/${id}`);
    const csrf = c.csrf(page.text);
    expect((await c.request('POST', `/console/checks/${id}/pause`, {})).status).toBe(403);
    expect((await c.request('POST', `/console/checks/${id}/pause`, { csrf: 'wrong' })).status).toBe(403);
    const paused = await c.request('POST', `/console/checks/${id}/pause`, { csrf });
    expect(paused.status).toBe(303);
    expect((await c.request('GET', `/console/checks/${id}`)).text).toContain('Resume');
    await c.request('POST', `/console/checks/${id}/resume`, { csrf });
    expect((await c.request('GET', `/console/checks/${id}`)).text).toContain('Pause');
    const theirs = await consoleClient(o);
    await theirs.signIn(globex.api_key);
    expect((await theirs.request('GET', `/console/checks/${id}`)).status).toBe(404);
    expect((await theirs.request('POST', `/console/checks/${id}/pause`, { csrf: theirs.csrf((await theirs.request('GET', '/console')).text) })).status).toBe(404);
  });

  it('hostile filters answer a page, never a 500: control characters, long strings, a mangled cursor', async () => {
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    for (const qs of ['q=%00', 'tag=%00%01', `q=${'x'.repeat(5000)}`, 'state=../../etc', 'after=%00garbage', `after=${Buffer.from('[0,"x","y"]').toString('base64url')}`, `after=${Buffer.from(JSON.stringify([0, '00000000-0000-0000-0000-000000000000', 'a\u0000b'])).toString('base64url')}`]) {
      const res = await c.request('GET', `/console/checks?${qs}`);
      expect(res.status, qs).toBe(200);
    }
    expect((await c.request('GET', '/console/checks/not-a-uuid')).status).toBe(404);
    expect((await c.request('GET', '/console/checks/00000000-0000-0000-0000-000000000000/pings/99999999999999999999/body')).status).toBe(404);
  });

  it('a read-only key sees no action buttons and gets 403 on POST', async () => {
    const c = consoleClient(o);
    await c.signIn(readOnly);
    const list = await c.request('GET', '/console/checks');
    const id = /href="\/console\/checks\/([0-9a-f-]{36})"/.exec(list.text)![1]!;
    const page = await c.request('GET', `/console/checks/${id}`);
    expect(page.text).not.toMatch(/>(Pause|Resume)</);
    expect((await c.request('POST', `/console/checks/${id}/pause`, { csrf: c.csrf(page.text) })).status).toBe(403);
  });

  it('signing out ends the session: the old cookie is refused', async () => {
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    const old = c.cookie;
    const overview = await c.request('GET', '/console');
    const out = await c.request('POST', '/console/logout', { csrf: c.csrf(overview.text) });
    expect(out.status).toBe(303);
    c.cookie = old;
    expect((await c.request('GET', '/console')).status).toBe(303);
  });

  it('a session expires after 12 idle hours, and too many failed sign-ins from one address wait', async () => {
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    await clock.jump(new Date(clock.now().getTime() + 11 * 3_600_000));
    expect((await c.request('GET', '/console')).status).toBe(200);
    await clock.jump(new Date(clock.now().getTime() + 12 * 3_600_000 + 1000));
    expect((await c.request('GET', '/console')).status).toBe(303);
    const d = consoleClient(o);
    for (let i = 0; i < 10; i++) expect((await d.signIn(`od_tenant_wrong${i}`)).status).toBe(401);
    expect((await d.signIn(acme.api_key)).status).toBe(429);
  });
});
