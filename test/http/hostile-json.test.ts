import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { apiClient } from '../support/http.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { newTenant } from '../support/tenants.js';

/**
 * Issue 17 item 7: a NUL in any of these fields answered 500 (Postgres refuses
 * NUL in text). Written to fail on the code before src/http/json-body.ts.
 */
describe(`control characters in JSON bodies are a 400 that changes nothing, on ${backend}`, () => {
  const clock = new ManualClock('2026-05-04T09:00:00Z');
  let t: TestDatabase;
  let o: TestOverdue;
  let admin: string;
  let tenant: { id: string; api_key: string };
  let accountId: string;
  const call = apiClient(() => o);

  beforeAll(async () => {
    t = await testDatabase();
    o = await drivenOverdue({ database: t, clock });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    tenant = await newTenant(call, 'acme', { key: admin });
    const account = await call('POST', '/api/v1/accounts', { name: 'Wayne', email: 'b@wayne.example' }, tenant.api_key);
    accountId = account.body.id;
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  const v3 = async (path: string, key: string, body: unknown) => {
    const res = await o.app.request(path, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('each field from the report (v1): 400 validation_failed naming the field, nothing written', async () => {
    const cases: [string, string, Record<string, unknown>, string][] = [
      ['/api/v1/components', admin, { page: 'x\u0000', name: 'API' }, 'page'],
      ['/api/v1/incidents', admin, { page: 'x\u0000', name: 'Down', status: 'investigating', body: 'b' }, 'page'],
      ['/api/v1/maintenances', admin, { page: 'x\u0000', name: 'M', scheduled_for: '2026-06-01T00:00:00Z', scheduled_until: '2026-06-01T01:00:00Z' }, 'page'],
      ['/api/v1/accounts', tenant.api_key, { name: 'Na\u0000me', email: 'n@wayne.example' }, 'name'],
      [`/api/v1/accounts/${accountId}/top-ups`, tenant.api_key, { amount: 100, reference: 'pi_\u0000' }, 'reference'],
      ['/api/v1/tenants', admin, { slug: 'nul', name: 'N\u0000', timezone: 'UTC', currency: 'USD' }, 'name'],
      ['/api/v1/channels', tenant.api_key, { kind: 'webhook', name: 'hook', config: { url: 'https://hooks.example.com/\u0000' } }, 'config.url'],
      ['/api/v1/components', admin, { name: 'ok', tags: ['fine', 'bell\u0007'] }, 'tags[1]'],
      ['/api/v1/components', admin, { ['ke\u0000y']: 1, name: 'ok' }, 'ke?y'],
    ];
    const tables = ['components', 'incidents', 'accounts', 'ledger_transactions', 'tenants', 'alert_channels'] as const;
    const count = async () => Promise.all(tables.map(async (tb) => (await t.db.selectFrom(tb).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n));
    const before = await count();
    for (const [path, key, body, field] of cases) {
      const res = await call('POST', path, body, key);
      expect([path, res.status, res.body?.error?.code], JSON.stringify(res.body)).toEqual([path, 400, 'validation_failed']);
      expect(res.body.error.message.startsWith(`${field} `), res.body.error.message).toBe(true);
      expect(res.body.error.message).not.toMatch(/\u0000/);
    }
    expect(await count()).toEqual(before);
  });

  it('tabs and line breaks stay allowed in long texts', async () => {
    const res = await call('POST', '/api/v1/incidents', { name: 'Slow API', status: 'investigating', body: 'We are looking.\n\n- item\tone\r\n' }, admin);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });

  it('v3 name, tags and desc: 400 in healthchecks\' error shape, no check created', async () => {
    const before = (await t.db.selectFrom('checks').select('id').execute()).length;
    for (const body of [{ name: 'back\u0000up' }, { name: 'ok', tags: 'prod \u0000' }, { name: 'ok', desc: 'd\u001b[31m' }]) {
      const res = await v3('/api/v3/checks/', tenant.api_key, body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error).toMatch(/^json validation error: (name|tags|desc) must not contain control characters$/);
    }
    expect((await t.db.selectFrom('checks').select('id').execute()).length).toBe(before);
  });

  it('v3: a schedule that fires less than once a year is a 400 (it was accepted, and made every list slower)', async () => {
    for (const schedule of ['* * 30 2 *', '0 0 29 2 *']) {
      const res = await v3('/api/v3/checks/', tenant.api_key, { name: 'rare', schedule, tz: 'Europe/Berlin' });
      expect([res.status, res.body.error]).toEqual([400, 'schedule must fire at least once a year']);
    }
    expect((await v3('/api/v3/checks/', tenant.api_key, { name: 'yearly', schedule: '0 0 1 1 *', tz: 'Europe/Berlin' })).status).toBe(201);
  });

  it('a body nested deeper than 32 levels is a 400, not a stack overflow', async () => {
    const res = await o.app.request('/api/v1/components', {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: `{"name":"n","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.message).toMatch(/nests deeper than 32 levels/);
  });
});
