import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCheck } from '../../src/heartbeats/checks-store.js';
import { pruneFlips, prunePings } from '../../src/heartbeats/retention.js';
import { testOverdue, type TestOverdue } from '../support/app.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';

describe(`retention on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let pingKey: string;
  beforeAll(async () => {
    t = await testDatabase();
    o = testOverdue({ database: t });
    pingKey = (await o.start()).platformPingKey!;
    await o.background.stop();
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('keeps the newest N pings of every check, in batches', async () => {
    const a = await insertCheck(t.db, { tenantId: null, pingKey, name: 'a' }, o.clock.now());
    const b = await insertCheck(t.db, { tenantId: null, pingKey, name: 'b' }, o.clock.now());
    for (let i = 0; i < 12; i++) await o.app.request(`/ping/${a}`);
    for (let i = 0; i < 3; i++) await o.app.request(`/ping/${b}`);
    expect(await prunePings(t.db, 5, 4)).toBe(4);
    expect(await prunePings(t.db, 5, 4)).toBe(3);
    expect(await prunePings(t.db, 5, 4)).toBe(0);
    const left = await t.db.selectFrom('pings').select(['check_id', 'n']).orderBy('check_id').orderBy('n').execute();
    expect(left.filter((p) => p.check_id === a).map((p) => Number(p.n))).toEqual([8, 9, 10, 11, 12]);
    expect(left.filter((p) => p.check_id === b).map((p) => Number(p.n))).toEqual([1, 2, 3]);
  });

  it('drops flips older than 93 days', async () => {
    const c = await insertCheck(t.db, { tenantId: null, pingKey, name: 'old' }, o.clock.now());
    const at = (days: number) => new Date(o.clock.now().getTime() - days * 86_400_000);
    for (const days of [100, 94, 92, 1]) {
      await t.db
        .insertInto('flips')
        .values({ check_id: c, tenant_id: null, created: at(days), detected_at: at(days), processed: at(days), old_status: 'up', new_status: 'down', reason: 'timeout' })
        .execute();
    }
    expect(await pruneFlips(t.db, o.clock.now(), 1000)).toBe(2);
    const left = await t.db.selectFrom('flips').select('created').where('check_id', '=', c).orderBy('created').execute();
    expect(left.map((f) => f.created)).toEqual([at(92), at(1)]);
  });
});
