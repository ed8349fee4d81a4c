import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { apiClient, idempotent } from '../support/http.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';

// Secrets in answers (plain API keys, ping keys) are shown once: the
// idempotency record keeps a copy of the answer for replays, so it must keep
// it without them.
describe(`secrets and Idempotency-Key replays, on ${backend}`, () => {
  const clock = new ManualClock('2026-05-04T09:00:00Z');
  let t: TestDatabase;
  let o: TestOverdue;
  let admin: string;
  const call = apiClient(() => o);
  const storedAnswers = async () => (await t.db.selectFrom('idempotency_keys').select(['key', 'response_body']).execute()).map((r) => `${r.key}: ${r.response_body}`).join('\n');

  beforeAll(async () => {
    t = await testDatabase();
    o = await drivenOverdue({ database: t, clock });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('POST /tenants: the replay answers the same status and body, with api_key and ping_key replaced and a note; the stored record holds neither', async () => {
    const body = { slug: 'acme', name: 'Acme', timezone: 'UTC', currency: 'USD' };
    const first = await call('POST', '/api/v1/tenants', body, admin, idempotent('tenant-acme'));
    expect(first.status).toBe(201);
    expect(first.body.api_key).toMatch(/^od_tenant_/);
    expect(first.body.ping_key).toMatch(/^[a-z0-9]{22}$/);

    const replay = await call('POST', '/api/v1/tenants', body, admin, idempotent('tenant-acme'));
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const { api_key, ping_key, ...rest } = first.body;
    expect(replay.body).toEqual({ ...rest, api_key: '<shown once>', ping_key: '<shown once>', note: expect.stringMatching(/shown once/) });

    const stored = await storedAnswers();
    expect(stored).toContain('tenant-acme');
    expect(stored).not.toContain(api_key);
    expect(stored).not.toContain(ping_key);
    expect((await t.db.selectFrom('tenants').select('id').execute()).length).toBe(1);
  });

  it('POST /keys: the replay shows the key as "<shown once>" and makes no second key', async () => {
    const first = await call('POST', '/api/v1/keys', { name: 'ci' }, admin, idempotent('key-ci'));
    expect(first.status).toBe(201);
    const replay = await call('POST', '/api/v1/keys', { name: 'ci' }, admin, idempotent('key-ci'));
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual({ ...first.body, key: '<shown once>', note: expect.stringMatching(/^key was shown once/) });
    expect(await storedAnswers()).not.toContain(first.body.key);
    expect((await t.db.selectFrom('api_keys').select('id').where('name', '=', 'ci').execute()).length).toBe(1);
  });

  it('POST /ping-keys/rotate: the replay does not rotate again and does not show the key', async () => {
    const first = await call('POST', '/api/v1/ping-keys/rotate', undefined, admin, idempotent('rotate-1'));
    expect(first.status).toBe(200);
    const replay = await call('POST', '/api/v1/ping-keys/rotate', undefined, admin, idempotent('rotate-1'));
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ tenant_id: null, ping_key: '<shown once>', note: expect.stringMatching(/shown once/) });
    expect(await storedAnswers()).not.toContain(first.body.ping_key);
    const stored = await t.db.selectFrom('ping_keys').select('ping_key').where('tenant_id', 'is', null).executeTakeFirstOrThrow();
    expect(stored.ping_key).toBe(first.body.ping_key);
  });
});
