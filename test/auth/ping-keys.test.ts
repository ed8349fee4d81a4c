import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotatePingKey } from '../../src/heartbeats/index.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, onPostgres, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { keyClient, newTenant } from './support.js';

describe(`ping key rotation (POST /api/v1/ping-keys/rotate) on ${backend}`, () => {
  const clock = new ManualClock('2026-05-04T09:00:00Z');
  let t: TestDatabase;
  let o: TestOverdue & { pingKey: string };
  let admin: string;
  let a: { id: string; apiKey: string; pingKey: string };
  let b: { id: string; apiKey: string; pingKey: string };
  const call = keyClient(() => o);
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
    a = await newTenant(call, admin, 'alpha');
    b = await newTenant(call, admin, 'beta');
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it("a tenant key rotates its tenant's ping key: the old one is 404 at once, the checks answer under the new one", async () => {
    expect(await ping(a.pingKey, 'backup', true)).toBe(201);
    expect(await ping(a.pingKey, 'export', true)).toBe(201);
    expect(await ping(a.pingKey, 'backup')).toBe(200);
    const before = await checksOf(a.id);
    expect(before.map((c) => [c.slug, c.n_pings])).toEqual([
      ['backup', 2n],
      ['export', 1n],
    ]);

    const res = await call('POST', '/api/v1/ping-keys/rotate', a.apiKey);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ tenant_id: a.id, ping_key: expect.stringMatching(/^[a-z0-9]{22}$/) });
    const fresh = res.body.ping_key as string;
    expect(fresh).not.toBe(a.pingKey);

    expect(await ping(a.pingKey, 'backup')).toBe(404);
    expect(await ping(a.pingKey, 'backup', true)).toBe(404); // nor can the old key create checks
    expect(await ping(fresh, 'backup')).toBe(200);
    expect(await ping(fresh, 'export')).toBe(200);
    const after = await checksOf(a.id);
    expect(after.map((c) => [c.id, c.slug, c.ping_key, c.n_pings])).toEqual([
      [before[0]!.id, 'backup', fresh, 3n],
      [before[1]!.id, 'export', fresh, 2n],
    ]);
    // Another tenant's key and checks are untouched.
    expect(await ping(b.pingKey, 'nightly', true)).toBe(201);
    a.pingKey = fresh;
  });

  it("the admin key rotates the platform's ping key, or a tenant's with ?tenant_id=", async () => {
    expect(await ping(o.pingKey, 'platform-job', true)).toBe(201);
    const platform = await call('POST', '/api/v1/ping-keys/rotate', admin);
    expect(platform.status).toBe(200);
    expect(platform.body.tenant_id).toBeNull();
    expect(await ping(o.pingKey, 'platform-job')).toBe(404);
    expect(await ping(platform.body.ping_key, 'platform-job')).toBe(200);
    const stored = await t.db.selectFrom('ping_keys').select('ping_key').where('tenant_id', 'is', null).executeTakeFirstOrThrow();
    expect(stored.ping_key).toBe(platform.body.ping_key);

    const forB = await call('POST', `/api/v1/ping-keys/rotate?tenant_id=${b.id}`, admin);
    expect(forB.body.tenant_id).toBe(b.id);
    expect(await ping(b.pingKey, 'nightly')).toBe(404);
    expect(await ping(forB.body.ping_key, 'nightly')).toBe(200);
    expect(await ping(a.pingKey, 'backup')).toBe(200); // alpha's untouched

    const unknown = await call('POST', '/api/v1/ping-keys/rotate?tenant_id=00000000-0000-4000-8000-000000000000', admin);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'not_found']);
  });

  it('a tenant key cannot rotate another tenant\'s ping key; a read-only key cannot rotate at all', async () => {
    const other = await call('POST', `/api/v1/ping-keys/rotate?tenant_id=${b.id}`, a.apiKey);
    expect([other.status, other.body.error.code]).toEqual([403, 'forbidden']);
    const reader = await call('POST', '/api/v1/keys', a.apiKey, { name: 'reader', read_only: true });
    const ro = await call('POST', '/api/v1/ping-keys/rotate', reader.body.key);
    expect([ro.status, ro.body.error.code]).toEqual([403, 'forbidden']);
    expect(await ping(a.pingKey, 'backup')).toBe(200);
  });

  it.skipIf(!onPostgres)('rotations at once on several connections each leave one consistent key (Postgres only)', async () => {
    const pools = [t, t.another(), t.another()];
    const keys = await Promise.all(pools.map((p) => rotatePingKey(p.db, a.id, clock.now())));
    const stored = await t.db.selectFrom('ping_keys').select('ping_key').where('tenant_id', '=', a.id).executeTakeFirstOrThrow();
    expect(keys).toContain(stored.ping_key);
    expect((await checksOf(a.id)).every((c) => c.ping_key === stored.ping_key)).toBe(true);
    expect(await ping(stored.ping_key, 'backup')).toBe(200);
    a.pingKey = stored.ping_key;
  });
});
