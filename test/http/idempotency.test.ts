import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneKeys } from '../../src/http/idempotency-store.js';
import type { TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { json } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';
import { recorder, schedulerInstance } from '../scheduler/support.js';

describe(`Idempotency-Key on /api/v1 POSTs, on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let admin: string;
  const rec = recorder();
  const post = (path: string, body: unknown, key?: string) =>
    o.app.request(`/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', ...(key !== undefined && { 'Idempotency-Key': key }) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    t = await testDatabase();
    o = await schedulerInstance(t, new ManualClock('2026-04-01T10:00:30Z'), [
      { key: 'daily', schedule: { cron: '0 2 * * *', tz: 'UTC' }, catchUp: 'latest', maxRunS: 60, handler: rec.handler },
    ]);
    admin = await insertApiKey(t.db, { kind: 'admin' }, o.clock.now());
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('the same key and request replays the first response, without running again', async () => {
    const first = await post('/jobs/daily/run', { slot: '2026-03-30T02:00:00Z' }, 'k-1');
    expect(first.status).toBe(200);
    const body = await json(first);
    const again = await post('/jobs/daily/run', '{ "slot" :"2026-03-30T02:00:00Z" }', 'k-1'); // same JSON, other spacing
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await json(again)).toEqual(body);
    expect(rec.calls).toHaveLength(1);
  });

  it('the same key with a different request is 422 and changes nothing', async () => {
    const res = await post('/jobs/daily/run', { slot: '2026-03-29T02:00:00Z' }, 'k-1');
    expect([res.status, (await json(res)).error.code]).toEqual([422, 'unprocessable']);
    expect(rec.calls).toHaveLength(1);
  });

  it('a key still in flight is 409; after its lease expires it is taken over', async () => {
    await t.db
      .insertInto('idempotency_keys')
      .values({ scope: 'admin', key: 'k-busy', fingerprint: 'x', state: 'processing', status_code: null, response_body: null, content_type: null, locked_until: new Date(o.clock.now().getTime() + 60_000), created_at: o.clock.now() })
      .execute();
    const busy = await post('/jobs/daily/pause', {}, 'k-busy');
    expect([busy.status, (await json(busy)).error.code]).toEqual([422, 'unprocessable']); // different fingerprint wins
    const fp = await t.db.selectFrom('idempotency_keys').select('fingerprint').where('key', '=', 'k-1').executeTakeFirstOrThrow();
    await t.db.updateTable('idempotency_keys').set({ key: 'k-live', fingerprint: fp.fingerprint }).where('key', '=', 'k-busy').execute();
    const live = await post('/jobs/daily/run', { slot: '2026-03-30T02:00:00Z' }, 'k-live');
    expect([live.status, (await json(live)).error.code]).toEqual([409, 'conflict']);
    await o.clock.jump(new Date(o.clock.now().getTime() + 61_000));
    const taken = await post('/jobs/daily/run', { slot: '2026-03-30T02:00:00Z' }, 'k-live');
    expect(taken.status).toBe(200);
    expect(taken.headers.get('idempotent-replayed')).toBeNull();
  });

  it('business errors (4xx) are stored and replayed; bad keys are 400', async () => {
    const bad = await post('/jobs/daily/run', { slot: '2026-03-30T02:30:00Z' }, 'k-4xx');
    expect(bad.status).toBe(400);
    const replay = await post('/jobs/daily/run', { slot: '2026-03-30T02:30:00Z' }, 'k-4xx');
    expect([replay.status, replay.headers.get('idempotent-replayed')]).toEqual([400, 'true']);
    const long = await post('/jobs/daily/pause', {}, 'x'.repeat(256));
    expect([long.status, (await json(long)).error.code]).toEqual([400, 'bad_request']);
  });

  it('without the header, POSTs run as usual; old keys are pruned', async () => {
    expect((await post('/jobs/daily/resume', {})).status).toBe(200);
    const n = await pruneKeys(t.db, new Date(o.clock.now().getTime() + 1), 1000);
    expect(n).toBeGreaterThanOrEqual(3);
    expect(await t.db.selectFrom('idempotency_keys').select('key').execute()).toEqual([]);
  });
});
