import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up as tagPlatformChecks } from '../../src/db/migrations/0017_platform_check_tag.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';

/** Issue 18: the admin key's GET /api/v3/checks/ listed 15 of Overdue's own checks among the user's. */
describe(`Overdue's own checks are listed apart (tag overdue-platform), on ${backend}`, () => {
  const clock = new ManualClock('2026-05-04T09:00:00Z');
  let t: TestDatabase;
  let o: TestOverdue;
  let admin: string;
  beforeAll(async () => {
    t = await testDatabase();
    o = await drivenOverdue({ database: t, clock });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    // The scheduler's first tick makes the job and tick checks.
    await o.scheduler.tick();
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });
  const list = async (query = '') => {
    const res = await o.app.request(`/api/v3/checks/${query}`, { headers: { 'x-api-key': admin } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { checks: { name: string; tags: string; slug: string }[] }).checks;
  };

  it('the default list holds only the user\'s checks; ?tag=overdue-platform lists Overdue\'s own; a slug finds either', async () => {
    const own = await t.db.selectFrom('checks').select(['name', 'tags']).execute();
    expect(own.length).toBeGreaterThan(3);
    expect(own.every((c) => c.tags.split(' ').includes('overdue-platform'))).toBe(true);

    const created = await o.app.request('/api/v3/checks/', { method: 'POST', headers: { 'x-api-key': admin, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'nightly backup', tags: 'prod' }) });
    expect(created.status).toBe(201);
    expect((await list()).map((c) => c.name)).toEqual(['nightly backup']);
    const platform = await list('?tag=overdue-platform');
    // Read again: the scheduler tick's check may have been made since (on Postgres the tick runs on its own).
    const now = (await t.db.selectFrom('checks').select('name').where('name', '!=', 'nightly backup').execute()).map((c) => c.name);
    expect(platform.map((c) => c.name).sort()).toEqual(now.sort());
    expect((await list('?slug=overdue-scheduler')).map((c) => c.name)).toEqual(['Overdue scheduler tick']);
  });

  it('the migration tags the job and tick checks an earlier version made without the tag, once', async () => {
    await sql`update checks set tags = ''`.execute(t.db);
    await sql`update checks set tags = 'prod' where name = 'nightly backup'`.execute(t.db);
    await tagPlatformChecks(t.db as never);
    await tagPlatformChecks(t.db as never);
    const rows = await t.db.selectFrom('checks').select(['name', 'tags']).execute();
    expect(rows.find((r) => r.name === 'nightly backup')!.tags).toBe('prod');
    expect(rows.filter((r) => r.name !== 'nightly backup').every((r) => r.tags === 'overdue-platform')).toBe(true);
  });
});
