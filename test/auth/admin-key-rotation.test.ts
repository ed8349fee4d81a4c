import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/keys.js';
import { runMigrations } from '../../src/db/migrate.js';
import { migrations } from '../../src/db/migrations/index.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { testOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { apiClient } from '../support/http.js';
import { backend, onPostgres, testDatabase, type TestDatabase } from '../support/db.js';
import { keyWorks } from './support.js';

const K1 = 'first-configured-admin-key-aaaaaaaaaaaa';
const K2 = 'second-configured-admin-key-bbbbbbbbbbb';

const open: { instances: TestOverdue[]; databases: TestDatabase[] } = { instances: [], databases: [] };
afterEach(async () => {
  for (const o of open.instances.splice(0)) await o.stop();
  for (const t of open.databases.splice(0)) await t.close();
});

const clock = new ManualClock('2026-05-04T09:00:00Z');

/** One start of the service on `database`, as `npm start` would do it with this OVERDUE_ADMIN_KEY. */
async function start(database: DatabaseHandle, adminKey?: string, migrate = false) {
  const o = testOverdue({ database, clock, env: { ...(adminKey && { OVERDUE_ADMIN_KEY: adminKey }), ...(migrate && { MIGRATE: 'on' }) } });
  open.instances.push(o);
  const report = await o.start();
  await o.background.stop();
  return { o, report, call: apiClient(() => o) };
}

describe(`the admin key from the configuration, on ${backend}`, () => {
  it('a new OVERDUE_ADMIN_KEY replaces the old one and the generated one at restart; keys made through the API stay', async () => {
    const t = await testDatabase();
    open.databases.push(t);
    const first = await start(t);
    const generated = first.report.generatedAdminKey!;
    expect(await keyWorks(first.call, generated)).toBe(true);
    const made = await first.call('POST', '/api/v1/keys', { name: 'automation' }, generated);
    expect(made.status).toBe(201);

    await clock.advance(60_000);
    const second = await start(t, K1);
    expect(second.report.generatedAdminKey).toBeUndefined();
    expect(await keyWorks(second.call, K1)).toBe(true);
    expect(await keyWorks(second.call, generated)).toBe(false); // the first-start key goes once a key is configured
    expect(await keyWorks(first.call, generated)).toBe(false); // on every instance, at once
    expect(await keyWorks(second.call, made.body.key)).toBe(true);

    await clock.advance(60_000);
    const third = await start(t, K2);
    expect(await keyWorks(third.call, K2)).toBe(true);
    expect(await keyWorks(third.call, K1)).toBe(false);
    expect(await keyWorks(third.call, generated)).toBe(false);
    expect(await keyWorks(third.call, made.body.key)).toBe(true);

    const rows = await t.db.selectFrom('api_keys').select(['key_hash', 'origin', 'revoked_at']).where('kind', '=', 'admin').orderBy('created_at').execute();
    expect(rows).toEqual([
      { key_hash: hashApiKey(generated), origin: 'generated', revoked_at: new Date('2026-05-04T09:01:00Z') },
      { key_hash: hashApiKey(made.body.key), origin: 'api', revoked_at: null },
      { key_hash: hashApiKey(K1), origin: 'configured', revoked_at: new Date('2026-05-04T09:02:00Z') },
      { key_hash: hashApiKey(K2), origin: 'configured', revoked_at: null },
    ]);

    // Configuring an earlier key again brings it back (the configuration is authoritative).
    await clock.advance(60_000);
    const fourth = await start(t, K1);
    expect(await keyWorks(fourth.call, K1)).toBe(true);
    expect(await keyWorks(fourth.call, K2)).toBe(false);
    const active = await t.db.selectFrom('api_keys').select('key_hash').where('origin', '=', 'configured').where('revoked_at', 'is', null).execute();
    expect(active).toEqual([{ key_hash: hashApiKey(K1) }]);

    // A start without OVERDUE_ADMIN_KEY leaves the keys as they are and generates nothing.
    const fifth = await start(t);
    expect(fifth.report.generatedAdminKey).toBeUndefined();
    expect(await keyWorks(fifth.call, K1)).toBe(true);
  });

  it('a key revoked through the API and then configured works again after the start', async () => {
    const t = await testDatabase();
    open.databases.push(t);
    const first = await start(t);
    const made = await first.call('POST', '/api/v1/keys', { name: 'to be configured' }, first.report.generatedAdminKey!);
    await first.call('DELETE', `/api/v1/keys/${made.body.id}`, undefined, first.report.generatedAdminKey!);
    expect(await keyWorks(first.call, made.body.key)).toBe(false);
    const second = await start(t, made.body.key);
    expect(await keyWorks(second.call, made.body.key)).toBe(true);
    const row = await t.db.selectFrom('api_keys').select(['origin', 'revoked_at']).where('id', '=', made.body.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ origin: 'configured', revoked_at: null });
  });

  it('migration 0014 tells existing keys apart by the names the bootstrap gave them', async () => {
    const t = await testDatabase({ migrated: false });
    open.databases.push(t);
    const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0014'));
    expect((await runMigrations(t.db, before)).error).toBeUndefined();
    for (const [name, kind, tenant] of [
      ['admin (OVERDUE_ADMIN_KEY)', 'admin', null],
      ['admin (generated at first start)', 'admin', null],
      ['acme (created with the tenant)', 'tenant', '5f1c8a2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b'],
    ] as const) {
      await sql`insert into api_keys (tenant_id, kind, name, key_prefix, key_hash, created_at) values (${tenant}, ${kind}, ${name}, 'pfx', ${`hash ${name}`}, now())`.execute(t.db);
    }
    expect((await runMigrations(t.db, migrations)).error).toBeUndefined();
    const rows = await t.db.selectFrom('api_keys').select(['name', 'origin', 'last_used_at']).orderBy('name').execute();
    expect(rows).toEqual([
      { name: 'acme (created with the tenant)', origin: 'api', last_used_at: null },
      { name: 'admin (OVERDUE_ADMIN_KEY)', origin: 'configured', last_used_at: null },
      { name: 'admin (generated at first start)', origin: 'generated', last_used_at: null },
    ]);
  });
});

describe.skipIf(!onPostgres)('instances starting at once with a new OVERDUE_ADMIN_KEY (Postgres only: PGlite is one session)', () => {
  it('4 instances with the same key, on a database that has a generated and an older configured key: one configured key, nothing else', async () => {
    const t = await testDatabase();
    open.databases.push(t);
    const first = await start(t);
    const generated = first.report.generatedAdminKey!;
    await start(t, K1);
    const starts = await Promise.all(Array.from({ length: 4 }, () => start(t.another(), K2)));
    for (const s of starts) expect(s.report.generatedAdminKey).toBeUndefined();
    const active = await t.db.selectFrom('api_keys').select('key_hash').where('kind', '=', 'admin').where('revoked_at', 'is', null).execute();
    expect(active).toEqual([{ key_hash: hashApiKey(K2) }]);
    expect(await keyWorks(first.call, generated)).toBe(false);
    expect(await keyWorks(first.call, K1)).toBe(false);
    expect(await keyWorks(first.call, K2)).toBe(true);
  });

  it('4 instances with a key on an empty database: all start, one configured key, none generated', async () => {
    const t = await testDatabase({ migrated: false });
    open.databases.push(t);
    const starts = await Promise.all(Array.from({ length: 4 }, (_, i) => start(i === 0 ? t : t.another(), K1, true)));
    for (const s of starts) expect([s.report.migrateError, s.report.generatedAdminKey]).toEqual([undefined, undefined]);
    const keys = await t.db.selectFrom('api_keys').select(['key_hash', 'origin', 'revoked_at']).execute();
    expect(keys).toEqual([{ key_hash: hashApiKey(K1), origin: 'configured', revoked_at: null }]);
  });
});
