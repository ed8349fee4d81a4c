import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseRateLimit } from '../../src/http/rate-limit.js';
import { drivenOverdue, testOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, onPostgres, testDatabase, type TestDatabase } from '../support/db.js';

/** Issue 17: the subscribe limits lived in each instance's memory, so N instances allowed N times as many. */
describe(`rate limits that hold across instances, on ${backend}`, () => {
  const clock = new ManualClock('2026-05-04T09:10:00Z');
  let t: TestDatabase;
  let a: TestOverdue;
  beforeAll(async () => {
    t = await testDatabase();
    a = await drivenOverdue({ database: t, clock });
  });
  afterAll(async () => {
    await a?.stop();
    await t?.close();
  });

  it('counts per bucket and fixed window; stores no address in clear', async () => {
    const limit = databaseRateLimit(t.db, 'test', 2, 3_600_000);
    const now = clock.now();
    expect([await limit.allow('198.51.100.4', now), await limit.allow('198.51.100.4', now), await limit.allow('198.51.100.4', now)]).toEqual([true, true, false]);
    expect(await limit.allow('198.51.100.5', now)).toBe(true);
    // The next window starts afresh.
    expect(await limit.allow('198.51.100.4', new Date(now.getTime() + 3_600_000))).toBe(true);
    const rows = await t.db.selectFrom('rate_limits').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain('198.51.100');
  });

  it.runIf(onPostgres)('two instances share the subscribe limits: three mails to one address per hour in all, not per instance', async () => {
    const b = testOverdue({ database: t.another(), clock });
    await b.start();
    await b.background.stop();
    try {
      const subscribe = (o: TestOverdue) =>
        o.app.request('/api/v1/pages/default/subscribers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'shared@example.com' }) });
      const answers = [];
      for (const o of [a, b, a, b, a, b]) answers.push((await subscribe(o)).status);
      expect(answers).toEqual([202, 202, 202, 429, 429, 429]);
    } finally {
      await b.stop();
    }
  });
});
