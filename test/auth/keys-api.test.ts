import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashApiKey } from '../../src/auth/keys.js';
import { touchApiKey } from '../../src/auth/store.js';
import { drivenOverdue, testOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { apiClient } from '../support/http.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { keyWorks } from './support.js';
import { newTenant } from '../support/tenants.js';

const CONFIGURED = 'operator-configured-admin-key-0123456789';

describe(`API key management (/api/v1/keys) on ${backend}`, () => {
  const clock = new ManualClock('2026-05-04T09:00:00Z');
  let t: TestDatabase;
  let o: TestOverdue;
  let admin: string;
  let a: { id: string; api_key: string; ping_key: string };
  let b: { id: string; api_key: string; ping_key: string };
  const call = apiClient(() => o);
  const keyIdOf = async (key: string) => (await t.db.selectFrom('api_keys').select('id').where('key_hash', '=', hashApiKey(key)).executeTakeFirstOrThrow()).id;

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

  it('the admin key lists every key, or one tenant\'s with ?tenant_id=; fields are snake_case and no hash is shown', async () => {
    const all = await call('GET', '/api/v1/keys', undefined, admin);
    expect(all.status).toBe(200);
    expect(all.body.next_cursor).toBeNull();
    const stored = await t.db.selectFrom('api_keys').select('id').execute();
    expect(all.body.data.map((k: any) => k.id).sort()).toEqual(stored.map((r) => r.id).sort());
    const alpha = all.body.data.find((k: any) => k.tenant_id === a.id);
    expect(alpha).toEqual({
      id: await keyIdOf(a.api_key),
      prefix: a.api_key.slice(0, 'od_tenant_'.length + 4),
      name: 'alpha (created with the tenant)',
      kind: 'tenant',
      tenant_id: a.id,
      read_only: false,
      origin: 'api',
      created_at: clock.now().toISOString(),
      last_used_at: null,
      revoked_at: null,
    });
    expect(JSON.stringify(all.body)).not.toContain(hashApiKey(a.api_key));

    const onlyB = await call('GET', `/api/v1/keys?tenant_id=${b.id}`, undefined, admin);
    expect(onlyB.body.data.map((k: any) => k.tenant_id)).toEqual([b.id]);
  });

  it("a tenant key sees only its tenant's keys, and may not ask for another tenant's", async () => {
    const mine = await call('GET', '/api/v1/keys', undefined, a.api_key);
    expect(mine.status).toBe(200);
    expect(mine.body.data.map((k: any) => k.tenant_id)).toEqual([a.id]);
    const other = await call('GET', `/api/v1/keys?tenant_id=${b.id}`, undefined, a.api_key);
    expect([other.status, other.body.error.code]).toEqual([403, 'forbidden']);
  });

  it('the admin key makes admin keys and keys of any existing tenant; the plain key is answered once and stored only hashed', async () => {
    const made = await call('POST', '/api/v1/keys', { name: 'deploy bot' }, admin);
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'deploy bot', kind: 'admin', tenant_id: null, read_only: false, origin: 'api', revoked_at: null });
    expect(made.body.key).toMatch(/^od_admin_[A-Za-z0-9_-]{32}$/);
    expect(made.body.key.startsWith(made.body.prefix)).toBe(true);
    expect(await keyWorks(call, made.body.key)).toBe(true);
    const row = await t.db.selectFrom('api_keys').selectAll().where('id', '=', made.body.id).executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashApiKey(made.body.key));
    expect(JSON.stringify(row)).not.toContain(made.body.key);

    const forB = await call('POST', '/api/v1/keys', { name: 'beta reader', tenant_id: b.id, read_only: true }, admin);
    expect(forB.status).toBe(201);
    expect(forB.body).toMatchObject({ kind: 'tenant', tenant_id: b.id, read_only: true });
    expect((await call('GET', '/api/v1/me', undefined, forB.body.key)).body).toMatchObject({ kind: 'tenant', tenant_id: b.id, read_only: true });

    const unknown = await call('POST', '/api/v1/keys', { name: 'ghost', tenant_id: '00000000-0000-4000-8000-000000000000' }, admin);
    expect([unknown.status, unknown.body.error.code, unknown.body.error.message]).toEqual([400, 'validation_failed', 'no tenant 00000000-0000-4000-8000-000000000000']);
    const mixed = await call('POST', '/api/v1/keys', { name: 'x', kind: 'admin', tenant_id: a.id }, admin);
    expect(mixed.status).toBe(400);
    const noTenant = await call('POST', '/api/v1/keys', { name: 'x', kind: 'tenant' }, admin);
    expect(noTenant.status).toBe(400);
    for (const bad of [{}, { name: '' }, { name: 'x', read_only: 'yes' }, { name: 'x', readonly: true }, { name: 'x', kind: 'root' }]) {
      expect((await call('POST', '/api/v1/keys', bad, admin)).status, JSON.stringify(bad)).toBe(400);
    }
  });

  it('a tenant key makes keys of its own tenant only; a read-only key can neither make nor revoke keys', async () => {
    const own = await call('POST', '/api/v1/keys', { name: 'alpha ci', read_only: true }, a.api_key);
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ kind: 'tenant', tenant_id: a.id, read_only: true });
    const explicit = await call('POST', '/api/v1/keys', { name: 'alpha ops', tenant_id: a.id }, a.api_key);
    expect(explicit.status).toBe(201);

    const forB = await call('POST', '/api/v1/keys', { name: 'sneaky', tenant_id: b.id }, a.api_key);
    expect([forB.status, forB.body.error.code]).toEqual([403, 'forbidden']);
    const adminKind = await call('POST', '/api/v1/keys', { name: 'sneaky', kind: 'admin' }, a.api_key);
    expect([adminKind.status, adminKind.body.error.code]).toEqual([403, 'forbidden']);

    const readOnly = own.body.key;
    expect((await call('GET', '/api/v1/keys', undefined, readOnly)).status).toBe(200);
    expect((await call('POST', '/api/v1/keys', { name: 'nope' }, readOnly)).status).toBe(403);
    expect((await call('DELETE', `/api/v1/keys/${explicit.body.id}`, undefined, readOnly)).status).toBe(403);
    expect(await keyWorks(call, explicit.body.key)).toBe(true);
  });

  it('revoking a key makes it 401 at once; another tenant\'s key (or an admin key) is 404 to a tenant key', async () => {
    const victim = await call('POST', '/api/v1/keys', { name: 'short-lived' }, a.api_key);
    expect(await keyWorks(call, victim.body.key)).toBe(true);
    const revoked = await call('DELETE', `/api/v1/keys/${victim.body.id}`, undefined, a.api_key);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: victim.body.id, revoked_at: clock.now().toISOString() });
    const refused = await call('GET', '/api/v1/me', undefined, victim.body.key);
    expect([refused.status, refused.body.error.code]).toEqual([401, 'unauthorized']);
    // Revoking again changes nothing.
    const again = await call('DELETE', `/api/v1/keys/${victim.body.id}`, undefined, a.api_key);
    expect([again.status, again.body.revoked_at]).toEqual([200, revoked.body.revoked_at]);

    const bKey = await keyIdOf(b.api_key);
    expect((await call('DELETE', `/api/v1/keys/${bKey}`, undefined, a.api_key)).status).toBe(404);
    expect((await call('DELETE', `/api/v1/keys/${await keyIdOf(admin)}`, undefined, a.api_key)).status).toBe(404);
    expect((await call('DELETE', '/api/v1/keys/not-a-uuid', undefined, a.api_key)).status).toBe(404);
    expect(await keyWorks(call, b.api_key)).toBe(true);

    // A key may revoke itself; the admin key may revoke anyone's.
    const self = await call('POST', '/api/v1/keys', { name: 'b temp', tenant_id: b.id }, admin);
    expect((await call('DELETE', `/api/v1/keys/${self.body.id}`, undefined, self.body.key)).status).toBe(200);
    expect(await keyWorks(call, self.body.key)).toBe(false);
    const other = await call('POST', '/api/v1/keys', { name: 'b temp 2', tenant_id: b.id }, admin);
    expect((await call('DELETE', `/api/v1/keys/${other.body.id}`, undefined, admin)).status).toBe(200);
    expect(await keyWorks(call, other.body.key)).toBe(false);
  });

  it('the key configured in OVERDUE_ADMIN_KEY cannot be revoked through the API (409: change the configuration)', async () => {
    const configured = testOverdue({ database: t, clock, env: { OVERDUE_ADMIN_KEY: CONFIGURED } });
    await configured.start();
    await configured.background.stop();
    try {
      const id = await keyIdOf(CONFIGURED);
      for (const by of [admin, CONFIGURED]) {
        const res = await call('DELETE', `/api/v1/keys/${id}`, undefined, by);
        expect(res.status).toBe(409);
        expect(res.body.error).toEqual({ code: 'conflict', message: expect.stringMatching(/OVERDUE_ADMIN_KEY.*change/) });
      }
      expect(await keyWorks(call, CONFIGURED)).toBe(true);
      const listed = (await call('GET', '/api/v1/keys', undefined, admin)).body.data.find((k: any) => k.id === id);
      expect(listed).toMatchObject({ origin: 'configured', kind: 'admin', revoked_at: null });
    } finally {
      await configured.stop();
    }
  });

  it('lists page by cursor, oldest first, without gaps or repeats', async () => {
    for (let i = 0; i < 3; i++) {
      await clock.advance(1000);
      await call('POST', '/api/v1/keys', { name: `page ${i}`, tenant_id: a.id }, admin);
    }
    const everything = (await call('GET', '/api/v1/keys?limit=200', undefined, admin)).body.data;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await call('GET', `/api/v1/keys?limit=2${cursor ? `&cursor=${cursor}` : ''}`, undefined, admin);
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((k: any) => k.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(everything.map((k: any) => k.id));
    const created = everything.map((k: any) => k.created_at);
    expect(created).toEqual([...created].sort());
    expect((await call('GET', '/api/v1/keys?cursor=nonsense', undefined, admin)).status).toBe(400);
    expect((await call('GET', '/api/v1/keys?limit=0', undefined, admin)).status).toBe(400);
  });

  it('keys record when they were last used, at most once a minute, without the request waiting for it', async () => {
    const made = await call('POST', '/api/v1/keys', { name: 'usage', tenant_id: b.id }, admin);
    const id = made.body.id;
    const lastUsed = async () => (await t.db.selectFrom('api_keys').select('last_used_at').where('id', '=', id).executeTakeFirstOrThrow()).last_used_at;
    expect(await lastUsed()).toBeNull();

    const first = clock.now();
    expect(await keyWorks(call, made.body.key)).toBe(true);
    await vi.waitFor(async () => expect(await lastUsed()).toEqual(first));

    await clock.advance(30_000);
    expect(await keyWorks(call, made.body.key)).toBe(true);
    await clock.advance(29_000);
    expect((await call('GET', '/api/v1/keys', undefined, made.body.key)).status).toBe(200);
    // Give a (wrong) write time to land before checking that none happened.
    await new Promise((r) => setTimeout(r, 50));
    expect(await lastUsed()).toEqual(first);

    await clock.advance(2_000); // 61 s after the first use
    expect(await keyWorks(call, made.body.key)).toBe(true);
    const later = clock.now();
    await vi.waitFor(async () => expect(await lastUsed()).toEqual(later));
    const listed = (await call('GET', `/api/v1/keys?tenant_id=${b.id}`, undefined, admin)).body.data.find((k: any) => k.id === id);
    expect(listed.last_used_at).toBe(later.toISOString());

    // The write itself is guarded: concurrent requests within the minute change nothing.
    await touchApiKey(t.db, id, new Date(later.getTime() + 59_000));
    expect(await lastUsed()).toEqual(later);
    await touchApiKey(t.db, id, new Date(later.getTime() + 61_000));
    expect(await lastUsed()).toEqual(new Date(later.getTime() + 61_000));
  });

  it('the v3 API records key use too', async () => {
    const made = await call('POST', '/api/v1/keys', { name: 'v3 client', tenant_id: a.id }, admin);
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
