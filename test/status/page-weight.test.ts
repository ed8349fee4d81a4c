import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { apiClient, created, type Api } from '../support/http.js';

const DAY = 86_400_000;

describe(`status page weight on ${backend}`, () => {
  const clock = new ManualClock('2025-05-20T10:00:00.000Z');
  let t: TestDatabase;
  let o: TestOverdue;
  let api: Api;

  beforeAll(async () => {
    t = await testDatabase();
    o = await drivenOverdue({ database: t, clock });
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('a page of 7 components in 3 groups with 90 days of bars, an incident and a maintenance stays under 50 KB, every day focusable and named', async () => {
    const leaves: string[] = [];
    for (const [group, names] of Object.entries({ Core: ['API', 'Webhooks', 'Dashboard'], Billing: ['Invoices', 'Payments'], Heartbeats: ['Pings', 'Alerts'] })) {
      const g = (await created(api, '/api/v1/components', { name: group, group: true, description: `${group} services` })).id;
      for (const name of names) leaves.push((await created(api, '/api/v1/components', { name, group_id: g, description: `${name} for every tenant` })).id);
    }
    await created(api, '/api/v1/incidents', { name: 'Slow API responses', status: 'identified', impact: 'major', body: 'An index is being rebuilt.', components: { [leaves[0]!]: 'degraded_performance' } });
    await created(api, '/api/v1/maintenances', {
      name: 'Database upgrade',
      body: 'Short interruptions are possible.',
      scheduled_for: new Date(clock.now().getTime() + 2 * DAY).toISOString(),
      scheduled_until: new Date(clock.now().getTime() + 2 * DAY + 3_600_000).toISOString(),
      components: [leaves[3]],
    });
    // 100 days of history, with a past outage on every component.
    await sql`update components set created_at = created_at - interval '100 days'`.execute(t.db);
    await sql`update component_status_log set at = at - interval '100 days'`.execute(t.db);
    for (const [k, id] of leaves.entries()) {
      const start = clock.now().getTime() - (10 + 7 * k) * DAY;
      await sql`insert into component_status_log (component_id, status, at) values
        (${id}, 'partial_outage', ${new Date(start)}), (${id}, 'operational', ${new Date(start + 3_600_000)})`.execute(t.db);
    }
    await clock.jump(new Date(clock.now().getTime() + 61_000)); // the page re-renders once a minute without writes

    const html = await (await o.app.request('/')).text();
    expect(Buffer.byteLength(html)).toBeLessThan(50_000);
    const days = html.match(/<li tabindex=0( class=t-[a-z]+)? aria-label="\d{4}-\d\d-\d\d: [^"]+">/g) ?? [];
    expect(days.length).toBe(7 * 90);
    expect(days.filter((d) => d.includes('partial outage')).length).toBeGreaterThanOrEqual(7);
    expect(days.filter((d) => d.includes('class=t-')).length).toBe(days.filter((d) => !d.endsWith(': operational">')).length);
  });
});
