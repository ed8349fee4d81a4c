import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, created, type Api } from '../support/http.js';
import { newTenant } from '../support/tenants.js';
import { TestReceiver } from '../notify/servers.js';
import { drainDeliveries, drivenOverdue, pumpAlerts, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, onPostgres, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';

const ENV = { WEBHOOK_ALLOW_PRIVATE: '127.0.0.1', PUBLIC_URL: 'https://overdue.example' };

async function v3Check(o: TestOverdue, key: string, body: Record<string, unknown>): Promise<string> {
  const res = await o.app.request('/api/v3/checks/', { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { uuid: string }).uuid;
}

const drain = drainDeliveries;

describe(`alert outbox: outage, retries and quarantine on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let clock: ManualClock;
  let api: Api;
  let tenant: { id: string; api_key: string };
  const receiver = new TestReceiver();
  const later = async (ms: number) => clock.jump(new Date(clock.now().getTime() + ms));
  const pump = () => pumpAlerts(o);

  beforeAll(async () => {
    await receiver.start();
    t = await testDatabase();
    clock = new ManualClock(new Date('2026-12-01T10:00:00Z'));
    o = await drivenOverdue({ database: t, clock, env: ENV });
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
    tenant = await newTenant(api, 'acme');
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
    await receiver.stop();
  });

  it('a receiver down for a while gets each alert exactly once when it is back (retries keep one webhook-id)', async () => {
    const hook = await created(api, '/api/v1/channels', { kind: 'webhook', name: 'flaky', config: { url: receiver.url('/flaky') } }, tenant.api_key);
    let up = false;
    receiver.answers.set('/flaky', () => (up ? 200 : 503));
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await v3Check(o, tenant.api_key, { name: `job-${i}`, timeout: 60, grace: 60, channels: hook.id }));
    for (const id of ids) await o.app.request(`/ping/${id}`, { method: 'POST' });
    await later(121_000);
    await pump();
    expect(receiver.on('/flaky')).toHaveLength(5);
    // Retries after backoff, still failing, then the receiver comes back.
    await later(90_000);
    await drain(o);
    up = true;
    await later(400_000);
    await drain(o);
    await later(3_600_000);
    await pump();
    const requests = receiver.on('/flaky');
    const delivered = new Map<string, number>();
    for (const r of requests.slice(-5)) delivered.set(String(r.headers['webhook-id']), (delivered.get(String(r.headers['webhook-id'])) ?? 0) + 1);
    const rows = await t.db.selectFrom('deliveries').selectAll().where('channel_id', '=', hook.id).execute();
    expect(rows).toHaveLength(5);
    expect(rows.every((d) => d.state === 'sent')).toBe(true);
    // Every request for one event carried the same webhook-id; each event was answered 200 once.
    expect(new Set(requests.map((r) => r.headers['webhook-id']))).toEqual(new Set(rows.map((d) => d.id)));
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    expect((await api('GET', `/api/v1/channels/${hook.id}`, undefined, tenant.api_key)).body.state).toBe('active');
  });

  it('a channel failing for 24 h is quarantined, its queue skipped, and its owner alerted on the other channels', async () => {
    const dead = await created(api, '/api/v1/channels', { kind: 'slack', name: 'dead slack', config: { url: receiver.url('/gone') } }, tenant.api_key);
    const other = await created(api, '/api/v1/channels', { kind: 'slack', name: 'working slack', config: { url: receiver.url('/ok') } }, tenant.api_key);
    receiver.answers.set('/gone', () => 500);
    const id = await v3Check(o, tenant.api_key, { name: 'quarantine-me', timeout: 60, grace: 60, channels: dead.id });
    await o.app.request(`/ping/${id}`, { method: 'POST' });
    await later(121_000);
    await pump();
    for (let h = 0; h < 48; h++) {
      await later(3_600_000);
      await drain(o);
    }
    const channel = (await api('GET', `/api/v1/channels/${dead.id}`, undefined, tenant.api_key)).body;
    expect(channel).toMatchObject({ state: 'quarantined', last_error: expect.stringContaining('500') });
    await o.alertDispatcher.tick();
    await drain(o);
    const told = receiver.on('/ok').filter((r) => /quarantined/.test(r.body.text));
    expect(told).toHaveLength(1);
    expect(told[0]!.body.text).toContain('dead slack');
    // A quarantined channel gets nothing more, until a test succeeds.
    const before = receiver.on('/gone').length;
    await o.app.request(`/ping/${id}`, { method: 'POST' });
    await pump();
    expect(receiver.on('/gone')).toHaveLength(before);
    receiver.answers.set('/gone', () => 200);
    expect((await api('POST', `/api/v1/channels/${dead.id}/test`, undefined, tenant.api_key)).body).toEqual({ delivered: true });
    expect((await api('GET', `/api/v1/channels/${dead.id}`, undefined, tenant.api_key)).body.state).toBe('active');
    expect(other.state).toBe('active');
  });
});

/** Two instances on one Postgres database (PGlite is one session: SKIP LOCKED never skips there). */
describe.skipIf(!onPostgres)('alerts from two instances on one Postgres database', () => {
  let t: TestDatabase;
  let a: TestOverdue;
  let b: TestOverdue;
  const receiver = new TestReceiver();

  beforeAll(async () => {
    await receiver.start();
    t = await testDatabase();
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await t?.close();
    await receiver.stop();
  });

  it('40 checks down at once, evaluated, dispatched and sent by both instances concurrently: one alert per check and channel', async () => {
    const clock = new ManualClock(new Date('2026-12-01T10:00:00Z'));
    a = await drivenOverdue({ database: t, clock, env: ENV });
    b = await drivenOverdue({ database: t.another(), clock, env: ENV });
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    const api = apiClient(a, () => admin);
    const tenant = await newTenant(api, 'twins');
    await created(api, '/api/v1/channels', { kind: 'slack', name: 'one', config: { url: receiver.url('/one') } }, tenant.api_key);
    await created(api, '/api/v1/channels', { kind: 'discord', name: 'two', config: { url: receiver.url('/two') } }, tenant.api_key);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(await v3Check(a, tenant.api_key, { name: `twin-${i}`, timeout: 60, grace: 60 }));
    for (const id of ids) await a.app.request(`/ping/${id}`, { method: 'POST' });
    await clock.jump(new Date(clock.now().getTime() + 121_000));
    const both = async (o: TestOverdue) => {
      await o.alerts.tick();
      await o.alertDispatcher.tick();
      await drain(o);
    };
    await Promise.all([both(a), both(b), both(a), both(b)]);
    await Promise.all([both(a), both(b)]);
    for (const path of ['/one', '/two']) {
      const got = receiver.on(path);
      expect(got).toHaveLength(40);
      const names = got.map((r) => /twin-\d+/.exec(JSON.stringify(r.body))![0]);
      expect(new Set(names).size).toBe(40);
    }
    const events = await t.db.selectFrom('alert_events').select('id').where('tenant_id', '=', tenant.id).execute();
    expect(events).toHaveLength(40);
  });
});
