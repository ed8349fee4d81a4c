import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotatePingKey } from '../../src/heartbeats/index.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { apiClient } from '../support/http.js';
import { backend, onPostgres, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { newTenant } from '../support/tenants.js';

describe(`ping key rotation (POST /api/v1/ping-keys/rotate) on ${backend}`, () => {
  const clock = new ManualClock('2026-05-04T09:00:00Z');
  let t: TestDatabase;
  let o: TestOverdue & { pingKey: string };
  let admin: string;
  let a: { id: string; api_key: string; ping_key: string };
  let b: { id: string; api_key: string; ping_key: string };
  const call = apiClient(() => o);
  const ping = async (pingKey: string, slug: string, create = false) => (await o.app.request(`/ping/${pingKey}/${slug}${create ? '?create=1' : ''}`)).status;
  const checksOf = (tenantId: string | null) =>
    t.db
      .selectFrom('checks')
      .select(['id', 'slug', 'ping_key', 'n_pings'])
      .where((eb) => (tenantId === null ? eb('tenant_id', 'is', null) : eb('tenant_id', '=', tenantId)))
      .orderBy('slug')
      .execute();

  beforeAll(async () => {
    t = await testDatabase();
    o = await drivenOverdue({ database: t, clock });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    a = await newTenant(call, 'alpha', { key: admin });
    b = await newTenant(call, 'beta', { key: admin });
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it("a tenant key rotates its tenant's ping key: the old one is 404 at once, the checks answer under the new one", async () => {
    expect(await ping(a.ping_key, 'backup', true)).toBe(201);
    expect(await ping(a.ping_key, 'export', true)).toBe(201);
    expect(await ping(a.ping_key, 'backup')).toBe(200);
    const before = await checksOf(a.id);
    expect(before.map((c) => [c.slug, c.n_pings])).toEqual([
      ['backup', 2n],
      ['export', 1n],
    ]);

    const res = await call('POST', '/api/v1/ping-keys/rotate', undefined, a.api_key);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ tenant_id: a.id, ping_key: expect.stringMatching(/^[a-z0-9]{22}$/) });
    const fresh = res.body.ping_key as string;
    expect(fresh).not.toBe(a.ping_key);

    expect(await ping(a.ping_key, 'backup')).toBe(404);
    expect(await ping(a.ping_key, 'backup', true)).toBe(404); // nor can the old key create checks
    expect(await ping(fresh, 'backup')).toBe(200);
    expect(await ping(fresh, 'export')).toBe(200);
    const after = await checksOf(a.id);
    expect(after.map((c) => [c.id, c.slug, c.ping_key, c.n_pings])).toEqual([
      [before[0]!.id, 'backup', fresh, 3n],
      [before[1]!.id, 'export', fresh, 2n],
    ]);
    // Another tenant's key and checks are untouched.
    expect(await ping(b.ping_key, 'nightly', true)).toBe(201);
    a.ping_key = fresh;
  });

  it("the admin key rotates the platform's ping key, or a tenant's with ?tenant_id=", async () => {
    expect(await ping(o.pingKey, 'platform-job', true)).toBe(201);
    const platform = await call('POST', '/api/v1/ping-keys/rotate', undefined, admin);
    expect(platform.status).toBe(200);
    expect(platform.body.tenant_id).toBeNull();
    expect(await ping(o.pingKey, 'platform-job')).toBe(404);
    expect(await ping(platform.body.ping_key, 'platform-job')).toBe(200);
    const stored = await t.db.selectFrom('ping_keys').select('ping_key').where('tenant_id', 'is', null).executeTakeFirstOrThrow();
    expect(stored.ping_key).toBe(platform.body.ping_key);

    const forB = await call('POST', `/api/v1/ping-keys/rotate?tenant_id=${b.id}`, undefined, admin);
    expect(forB.body.tenant_id).toBe(b.id);
    expect(await ping(b.ping_key, 'nightly')).toBe(404);
    expect(await ping(forB.body.ping_key, 'nightly')).toBe(200);
    expect(await ping(a.ping_key, 'backup')).toBe(200); // alpha's untouched

    const unknown = await call('POST', '/api/v1/ping-keys/rotate?tenant_id=00000000-0000-4000-8000-000000000000', undefined, admin);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'not_found']);
  });

  it('a tenant key cannot rotate another tenant\'s ping key; a read-only key cannot rotate at all', async () => {
    const other = await call('POST', `/api/v1/ping-keys/rotate?tenant_id=${b.id}`, undefined, a.api_key);
    expect([other.status, other.body.error.code]).toEqual([403, 'forbidden']);
    const reader = await call('POST', '/api/v1/keys', { name: 'reader', read_only: true }, a.api_key);
    const ro = await call('POST', '/api/v1/ping-keys/rotate', undefined, reader.body.key);
    expect([ro.status, ro.body.error.code]).toEqual([403, 'forbidden']);
    expect(await ping(a.ping_key, 'backup')).toBe(200);
  });

  it.skipIf(!onPostgres)('rotations at once on several connections each leave one consistent key (Postgres only)', async () => {
    const pools = [t, t.another(), t.another()];
    const keys = await Promise.all(pools.map((p) => rotatePingKey(p.db, a.id, clock.now())));
    const stored = await t.db.selectFrom('ping_keys').select('ping_key').where('tenant_id', '=', a.id).executeTakeFirstOrThrow();
    expect(keys).toContain(stored.ping_key);
    expect((await checksOf(a.id)).every((c) => c.ping_key === stored.ping_key)).toBe(true);
    expect(await ping(stored.ping_key, 'backup')).toBe(200);
    a.ping_key = stored.ping_key;
  });
});
