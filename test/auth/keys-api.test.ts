import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashApiKey } from '../../src/auth/keys.js';
import { touchApiKey } from '../../src/auth/store.js';
import { drivenOverdue, testOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { keyClient, keyWorks, newTenant } from './support.js';

const CONFIGURED = 'operator-configured-admin-key-0123456789';

describe(`API key management (/api/v1/keys) on ${backend}`, () => {
  const clock = new ManualClock('2026-05-04T09:00:00Z');
  let t: TestDatabase;
  let o: TestOverdue;
  let admin: string;
  let a: { id: string; apiKey: string; pingKey: string };
  let b: { id: string; apiKey: string; pingKey: string };
  const call = keyClient(() => o);
  const keyIdOf = async (key: string) => (await t.db.selectFrom('api_keys').select('id').where('key_hash', '=', hashApiKey(key)).executeTakeFirstOrThrow()).id;

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

  it('the admin key lists every key, or one tenant\'s with ?tenant_id=; fields are snake_case and no hash is shown', async () => {
    const all = await call('GET', '/api/v1/keys', admin);
    expect(all.status).toBe(200);
    expect(all.body.next_cursor).toBeNull();
    const stored = await t.db.selectFrom('api_keys').select('id').execute();
    expect(all.body.data.map((k: any) => k.id).sort()).toEqual(stored.map((r) => r.id).sort());
    const alpha = all.body.data.find((k: any) => k.tenant_id === a.id);
    expect(alpha).toEqual({
      id: await keyIdOf(a.apiKey),
      prefix: a.apiKey.slice(0, 'od_tenant_'.length + 4),
      name: 'alpha (created with the tenant)',
      kind: 'tenant',
      tenant_id: a.id,
      read_only: false,
      origin: 'api',
      created_at: clock.now().toISOString(),
      last_used_at: null,
      revoked_at: null,
    });
    expect(JSON.stringify(all.body)).not.toContain(hashApiKey(a.apiKey));

    const onlyB = await call('GET', `/api/v1/keys?tenant_id=${b.id}`, admin);
    expect(onlyB.body.data.map((k: any) => k.tenant_id)).toEqual([b.id]);
  });

  it("a tenant key sees only its tenant's keys, and may not ask for another tenant's", async () => {
    const mine = await call('GET', '/api/v1/keys', a.apiKey);
    expect(mine.status).toBe(200);
    expect(mine.body.data.map((k: any) => k.tenant_id)).toEqual([a.id]);
    const other = await call('GET', `/api/v1/keys?tenant_id=${b.id}`, a.apiKey);
    expect([other.status, other.body.error.code]).toEqual([403, 'forbidden']);
  });

  it('the admin key makes admin keys and keys of any existing tenant; the plain key is answered once and stored only hashed', async () => {
    const made = await call('POST', '/api/v1/keys', admin, { name: 'deploy bot' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'deploy bot', kind: 'admin', tenant_id: null, read_only: false, origin: 'api', revoked_at: null });
    expect(made.body.key).toMatch(/^od_admin_[A-Za-z0-9_-]{32}$/);
    expect(made.body.key.startsWith(made.body.prefix)).toBe(true);
    expect(await keyWorks(call, made.body.key)).toBe(true);
    const row = await t.db.selectFrom('api_keys').selectAll().where('id', '=', made.body.id).executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashApiKey(made.body.key));
    expect(JSON.stringify(row)).not.toContain(made.body.key);

    const forB = await call('POST', '/api/v1/keys', admin, { name: 'beta reader', tenant_id: b.id, read_only: true });
    expect(forB.status).toBe(201);
    expect(forB.body).toMatchObject({ kind: 'tenant', tenant_id: b.id, read_only: true });
    expect((await call('GET', '/api/v1/me', forB.body.key)).body).toMatchObject({ kind: 'tenant', tenant_id: b.id, read_only: true });

    const unknown = await call('POST', '/api/v1/keys', admin, { name: 'ghost', tenant_id: '00000000-0000-4000-8000-000000000000' });
    expect([unknown.status, unknown.body.error.code, unknown.body.error.message]).toEqual([400, 'validation_failed', 'no tenant 00000000-0000-4000-8000-000000000000']);
    const mixed = await call('POST', '/api/v1/keys', admin, { name: 'x', kind: 'admin', tenant_id: a.id });
    expect(mixed.status).toBe(400);
    const noTenant = await call('POST', '/api/v1/keys', admin, { name: 'x', kind: 'tenant' });
    expect(noTenant.status).toBe(400);
    for (const bad of [{}, { name: '' }, { name: 'x', read_only: 'yes' }, { name: 'x', readonly: true }, { name: 'x', kind: 'root' }]) {
      expect((await call('POST', '/api/v1/keys', admin, bad)).status, JSON.stringify(bad)).toBe(400);
    }
  });

  it('a tenant key makes keys of its own tenant only; a read-only key can neither make nor revoke keys', async () => {
    const own = await call('POST', '/api/v1/keys', a.apiKey, { name: 'alpha ci', read_only: true });
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ kind: 'tenant', tenant_id: a.id, read_only: true });
    const explicit = await call('POST', '/api/v1/keys', a.apiKey, { name: 'alpha ops', tenant_id: a.id });
    expect(explicit.status).toBe(201);

    const forB = await call('POST', '/api/v1/keys', a.apiKey, { name: 'sneaky', tenant_id: b.id });
    expect([forB.status, forB.body.error.code]).toEqual([403, 'forbidden']);
    const adminKind = await call('POST', '/api/v1/keys', a.apiKey, { name: 'sneaky', kind: 'admin' });
    expect([adminKind.status, adminKind.body.error.code]).toEqual([403, 'forbidden']);

    const readOnly = own.body.key;
    expect((await call('GET', '/api/v1/keys', readOnly)).status).toBe(200);
    expect((await call('POST', '/api/v1/keys', readOnly, { name: 'nope' })).status).toBe(403);
    expect((await call('DELETE', `/api/v1/keys/${explicit.body.id}`, readOnly)).status).toBe(403);
    expect(await keyWorks(call, explicit.body.key)).toBe(true);
  });

  it('revoking a key makes it 401 at once; another tenant\'s key (or an admin key) is 404 to a tenant key', async () => {
    const victim = await call('POST', '/api/v1/keys', a.apiKey, { name: 'short-lived' });
    expect(await keyWorks(call, victim.body.key)).toBe(true);
    const revoked = await call('DELETE', `/api/v1/keys/${victim.body.id}`, a.apiKey);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: victim.body.id, revoked_at: clock.now().toISOString() });
    const refused = await call('GET', '/api/v1/me', victim.body.key);
    expect([refused.status, refused.body.error.code]).toEqual([401, 'unauthorized']);
    // Revoking again changes nothing.
    const again = await call('DELETE', `/api/v1/keys/${victim.body.id}`, a.apiKey);
    expect([again.status, again.body.revoked_at]).toEqual([200, revoked.body.revoked_at]);

    const bKey = await keyIdOf(b.apiKey);
    expect((await call('DELETE', `/api/v1/keys/${bKey}`, a.apiKey)).status).toBe(404);
    expect((await call('DELETE', `/api/v1/keys/${await keyIdOf(admin)}`, a.apiKey)).status).toBe(404);
    expect((await call('DELETE', '/api/v1/keys/not-a-uuid', a.apiKey)).status).toBe(404);
    expect(await keyWorks(call, b.apiKey)).toBe(true);

    // A key may revoke itself; the admin key may revoke anyone's.
    const self = await call('POST', '/api/v1/keys', admin, { name: 'b temp', tenant_id: b.id });
    expect((await call('DELETE', `/api/v1/keys/${self.body.id}`, self.body.key)).status).toBe(200);
    expect(await keyWorks(call, self.body.key)).toBe(false);
    const other = await call('POST', '/api/v1/keys', admin, { name: 'b temp 2', tenant_id: b.id });
    expect((await call('DELETE', `/api/v1/keys/${other.body.id}`, admin)).status).toBe(200);
    expect(await keyWorks(call, other.body.key)).toBe(false);
  });

  it('the key configured in OVERDUE_ADMIN_KEY cannot be revoked through the API (409: change the configuration)', async () => {
    const configured = testOverdue({ database: t, clock, env: { OVERDUE_ADMIN_KEY: CONFIGURED } });
    await configured.start();
    await configured.background.stop();
    try {
      const id = await keyIdOf(CONFIGURED);
      for (const by of [admin, CONFIGURED]) {
        const res = await call('DELETE', `/api/v1/keys/${id}`, by);
        expect(res.status).toBe(409);
        expect(res.body.error).toEqual({ code: 'conflict', message: expect.stringMatching(/OVERDUE_ADMIN_KEY.*change/) });
      }
      expect(await keyWorks(call, CONFIGURED)).toBe(true);
      const listed = (await call('GET', '/api/v1/keys', admin)).body.data.find((k: any) => k.id === id);
      expect(listed).toMatchObject({ origin: 'configured', kind: 'admin', revoked_at: null });
    } finally {
      await configured.stop();
    }
  });

  it('lists page by cursor, oldest first, without gaps or repeats', async () => {
    for (let i = 0; i < 3; i++) {
      await clock.advance(1000);
      await call('POST', '/api/v1/keys', admin, { name: `page ${i}`, tenant_id: a.id });
    }
    const everything = (await call('GET', '/api/v1/keys?limit=200', admin)).body.data;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await call('GET', `/api/v1/keys?limit=2${cursor ? `&cursor=${cursor}` : ''}`, admin);
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((k: any) => k.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(everything.map((k: any) => k.id));
    const created = everything.map((k: any) => k.created_at);
    expect(created).toEqual([...created].sort());
    expect((await call('GET', '/api/v1/keys?cursor=nonsense', admin)).status).toBe(400);
    expect((await call('GET', '/api/v1/keys?limit=0', admin)).status).toBe(400);
  });

  it('keys record when they were last used, at most once a minute, without the request waiting for it', async () => {
    const made = await call('POST', '/api/v1/keys', admin, { name: 'usage', tenant_id: b.id });
    const id = made.body.id;
    const lastUsed = async () => (await t.db.selectFrom('api_keys').select('last_used_at').where('id', '=', id).executeTakeFirstOrThrow()).last_used_at;
    expect(await lastUsed()).toBeNull();

    const first = clock.now();
    expect(await keyWorks(call, made.body.key)).toBe(true);
    await vi.waitFor(async () => expect(await lastUsed()).toEqual(first));

    await clock.advance(30_000);
    expect(await keyWorks(call, made.body.key)).toBe(true);
    await clock.advance(29_000);
    expect((await call('GET', '/api/v1/keys', made.body.key)).status).toBe(200);
    // Give a (wrong) write time to land before checking that none happened.
    await new Promise((r) => setTimeout(r, 50));
    expect(await lastUsed()).toEqual(first);

    await clock.advance(2_000); // 61 s after the first use
    expect(await keyWorks(call, made.body.key)).toBe(true);
    const later = clock.now();
    await vi.waitFor(async () => expect(await lastUsed()).toEqual(later));
    const listed = (await call('GET', `/api/v1/keys?tenant_id=${b.id}`, admin)).body.data.find((k: any) => k.id === id);
    expect(listed.last_used_at).toBe(later.toISOString());

    // The write itself is guarded: concurrent requests within the minute change nothing.
    await touchApiKey(t.db, id, new Date(later.getTime() + 59_000));
    expect(await lastUsed()).toEqual(later);
    await touchApiKey(t.db, id, new Date(later.getTime() + 61_000));
    expect(await lastUsed()).toEqual(new Date(later.getTime() + 61_000));
  });

  it('the v3 API records key use too', async () => {
    const made = await call('POST', '/api/v1/keys', admin, { name: 'v3 client', tenant_id: a.id });
    const res = await o.app.request('/api/v3/checks/', { headers: { 'x-api-key': made.body.key } });
    expect(res.status).toBe(200);
    await vi.waitFor(async () => {
      const row = await t.db.selectFrom('api_keys').select('last_used_at').where('id', '=', made.body.id).executeTakeFirstOrThrow();
      expect(row.last_used_at).toEqual(clock.now());
    });
  });

  it('the OpenAPI document describes the key routes', async () => {
    const doc = await (await o.app.request('/api/v1/openapi.json')).json();
    expect(doc.paths['/keys'].get.operationId).toBe('listKeys');
    expect(doc.paths['/keys'].post.operationId).toBe('createKey');
    expect(doc.paths['/keys/{id}'].delete.operationId).toBe('revokeKey');
    expect(doc.paths['/ping-keys/rotate'].post.operationId).toBe('rotatePingKey');
  });
});
