import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../src/db/migrate.js';
import { migrations } from '../../src/db/migrations/index.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';

// 0012 (publishing): incidents that exist at upgrade were public already; components publish at once
// by default; a source's open incident is now per page (the upgrade keeps the one it had).
describe(`migration 0012 (publishing) on ${backend}`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await testDatabase({ migrated: false });
  });
  afterAll(() => t?.close());

  it('publishes existing incidents, keeps components publishing at once, and moves the open-source guard to per page', async () => {
    const upTo0011 = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0012'));
    expect((await runMigrations(t.db, upTo0011)).error).toBeUndefined();
    const at = new Date('2026-01-05T08:00:00Z');
    const [p1, p2, c1, i1] = ['1a000000-0000-4000-8000-000000000001', '1a000000-0000-4000-8000-000000000002', '1c000000-0000-4000-8000-000000000001', '1e000000-0000-4000-8000-000000000001'];
    await sql`insert into pages (id, slug, name, time_zone, tenant_id, created_at, updated_at) values (${p1}, 'one', 'One', 'UTC', null, ${at}, ${at}), (${p2}, 'two', 'Two', 'UTC', null, ${at}, ${at})`.execute(t.db);
    await sql`insert into components (id, page_id, name, description, is_group, group_id, position, only_show_if_degraded, showcase, status, start_date, created_at, updated_at)
              values (${c1}, ${p1}, 'API', null, false, null, 1, false, true, 'partial_outage', null, ${at}, ${at})`.execute(t.db);
    await sql`insert into incidents (id, page_id, kind, name, status, impact, shortlink, automatic, started_at, created_at, updated_at)
              values (${i1}, ${p1}, 'incident', 'Old', 'investigating', 'major', 'abc', true, ${at}, ${at}, ${at})`.execute(t.db);
    await sql`insert into incident_sources (incident_id, source, open, created_at) values (${i1}, 'check:x', true, ${at})`.execute(t.db);

    const upTo0012 = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0013'));
    expect((await runMigrations(t.db, upTo0012)).applied).toEqual(['0012_publishing']);
    expect(await t.db.selectFrom('incidents').select(['published_at', 'publish_at']).execute()).toEqual([{ published_at: at, publish_at: null }]);
    expect(await t.db.selectFrom('components').select(['auto_incident', 'publish_after', 'incident_template']).execute()).toEqual([{ auto_incident: 'publish', publish_after: null, incident_template: null }]);
    expect(await t.db.selectFrom('incident_sources').select(['source', 'page_id', 'open']).execute()).toEqual([{ source: 'check:x', page_id: p1, open: true }]);

    // One open incident per source and page: a second on the same page is refused, one on another page is fine.
    const i2 = '1e000000-0000-4000-8000-000000000002';
    const i3 = '1e000000-0000-4000-8000-000000000003';
    await sql`insert into incidents (id, page_id, kind, name, status, impact, shortlink, automatic, started_at, created_at, updated_at, published_at)
              values (${i2}, ${p1}, 'incident', 'Dup', 'investigating', 'major', 'abd', true, ${at}, ${at}, ${at}, ${at}), (${i3}, ${p2}, 'incident', 'Other page', 'investigating', 'major', 'abe', true, ${at}, ${at}, ${at}, ${at})`.execute(t.db);
    await expect(sql`insert into incident_sources (incident_id, source, page_id, open, created_at) values (${i2}, 'check:x', ${p1}, true, ${at})`.execute(t.db)).rejects.toThrow(/incident_sources_open_uq/);
    await sql`insert into incident_sources (incident_id, source, page_id, open, created_at) values (${i3}, 'check:x', ${p2}, true, ${at})`.execute(t.db);
    // A delay needs its seconds.
    await expect(sql`update components set auto_incident = 'delay' where id = ${c1}`.execute(t.db)).rejects.toThrow(/components_delay_check/);
    // Running the migrations again does nothing.
    expect((await runMigrations(t.db, upTo0012)).applied).toEqual([]);
  });
});
