/**
 * The console's checks list and counts (listChecksPage, countChecksByState)
 * against a reference: every check in scope ranked and sorted in one plain
 * ORDER BY. Walking the pages through the keyset cursor, with each filter and
 * for a tenant and the admin, must give exactly the reference's rows in its
 * order, whatever way the store reads them (per-state index ranges for a
 * tenant, one ranked scan for the admin).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countChecksByState, listChecksPage, type CheckState, type Scope } from '../../src/heartbeats/manage-store.js';
import { seedConsoleTenant } from '../bench/support/console-seed.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const STATES: CheckState[] = ['down', 'late', 'new', 'up', 'paused'];

type Filter = { state?: CheckState; tag?: string; q?: string };

describe(`console checks list on ${backend}`, () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await testDatabase();
    for (const [tenant, key, checks] of [[A, 'aaaaaaaaaaaaaaaaaaaaaa', 320], [B, 'bbbbbbbbbbbbbbbbbbbbbb', 60]] as const) {
      await sql`insert into ping_keys (ping_key, tenant_id, created_at) values (${key}, ${tenant}, ${NOW})`.execute(t.db);
      await seedConsoleTenant(t.db, { tenantId: tenant, pingKey: key, checks, pings: checks * 10, busyPings: 40, now: NOW });
    }
    // Same names in both tenants and within one (ties broken by id), and a check whose deadline is unset.
    await sql`update checks set name = 'same-name' where name like 'backup-backup%'`.execute(t.db);
    await sql`update checks set alert_after = null where id = (select id from checks where tenant_id = ${A} and status = 'up' order by id limit 1)`.execute(t.db);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Every check in scope, ranked and ordered in one statement: what the pages must add up to. */
  async function reference(scope: Scope, f: Filter): Promise<string[]> {
    const late = sql`(alert_after is not null and alert_after - make_interval(secs => grace_s) <= ${NOW}::timestamptz)`;
    const rank = sql<number>`case when status = 'down' then 0 when status = 'paused' then 4 when status = 'new' then 2 when ${late} then 1 else 3 end`;
    const rows = await sql<{ id: string }>`
      select id from (select id, name, tags, tenant_id, ${rank} as rank from checks) c
      where (${scope.admin} or tenant_id = ${scope.tenantId})
        and (${f.state ?? null}::text is null or rank = ${f.state ? STATES.indexOf(f.state) : -1})
        and (${f.tag ?? null}::text is null or ${f.tag ?? ''} = any(string_to_array(tags, ' ')))
        and (${f.q ?? null}::text is null or name ilike ${`%${f.q ?? ''}%`})
      order by rank, name, id`.execute(t.db);
    return rows.rows.map((r) => r.id);
  }

  async function walk(scope: Scope, f: Filter, limit: number): Promise<string[]> {
    const out: string[] = [];
    let after: { rank: number; name: string; id: string } | undefined;
    for (let pages = 0; pages < 1000; pages++) {
      const rows = await listChecksPage(t.db, scope, NOW, { ...f, limit, ...(after && { after }) });
      out.push(...rows.map((r) => r.id));
      const last = rows[rows.length - 1];
      if (rows.length < limit || !last) return out;
      after = { rank: last.rank, name: last.name, id: last.id };
    }
    throw new Error('the pages never ended');
  }

  const filters: Filter[] = [{}, ...STATES.map((state) => ({ state })), { tag: 'etl' }, { q: 'export' }, { state: 'late', tag: 'staging' }, { q: 'same' }, { tag: 'no-such-tag' }];
  for (const [who, scope] of [['a tenant', { admin: false, tenantId: A }], ['the admin', { admin: true, tenantId: null }]] as const) {
    it(`pages through every filter for ${who} exactly as one ordered scan would`, async () => {
      for (const f of filters) {
        const expected = await reference(scope, f);
        for (const limit of [7, 50]) expect({ f, limit, ids: await walk(scope, f, limit) }).toEqual({ f, limit, ids: expected });
      }
      expect((await reference(scope, {})).length).toBe(scope.admin ? 380 : 320);
    });
  }

  it('gives each row its rank and the full check row', async () => {
    const [first] = await listChecksPage(t.db, { admin: false, tenantId: A }, NOW, { limit: 1 });
    expect(first).toMatchObject({ rank: 0, status: 'down', tenant_id: A });
    expect(typeof first!.n_pings).toBe('bigint');
    const late = await listChecksPage(t.db, { admin: false, tenantId: A }, NOW, { state: 'late', limit: 3 });
    expect(late.map((r) => [r.rank, r.status])).toEqual([[1, 'up'], [1, 'up'], [1, 'up']]);
  });

  it('a cursor past the filtered state gives an empty page', async () => {
    expect(await listChecksPage(t.db, { admin: false, tenantId: A }, NOW, { state: 'down', limit: 5, after: { rank: 3, name: 'a', id: A } })).toEqual([]);
  });

  it('counts per state as the reference ranks them', async () => {
    for (const scope of [{ admin: false, tenantId: A }, { admin: false, tenantId: B }, { admin: true, tenantId: null }]) {
      const expected = Object.fromEntries(await Promise.all(STATES.map(async (state) => [state, (await reference(scope, { state })).length] as const)));
      expect(await countChecksByState(t.db, scope, NOW)).toEqual(expected);
    }
  });
});
