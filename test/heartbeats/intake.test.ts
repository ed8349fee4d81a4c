import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCheck } from '../../src/heartbeats/checks-store.js';
import { commitPingBatch, readChecks, rowToState } from '../../src/heartbeats/store.js';
import { applyPing } from '../../src/heartbeats/transitions.js';
import { ManualClock } from '../support/clock.js';
import { testOverdue, type TestOverdue } from '../support/app.js';
import { backend, onPostgres, testDatabase, type TestDatabase } from '../support/db.js';

describe(`ping group commit on ${backend}`, () => {
  let t: TestDatabase;
  let a: TestOverdue;
  let b: TestOverdue;
  let pingKey: string;
  beforeAll(async () => {
    t = await testDatabase();
    const clock = new ManualClock('2026-05-01T00:00:00Z');
    a = testOverdue({ database: t, clock });
    pingKey = (await a.start()).platformPingKey!;
    b = testOverdue({ database: onPostgres ? ({ ...t, db: t.another().db } as TestDatabase) : t, clock });
    await b.start();
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await t?.close();
  });

  it('two instances pinging one check at once: every acknowledged ping is counted once, numbered without gaps', async () => {
    const id = await insertCheck(t.db, { tenantId: null, pingKey, name: 'hot' }, a.clock.now());
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).app.request(`/ping/${id}${i % 7 === 0 ? '/start' : ''}`)),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    const check = await t.db.selectFrom('checks').select('n_pings').where('id', '=', id).executeTakeFirstOrThrow();
    expect(check.n_pings).toBe(200n);
    const ns = (await t.db.selectFrom('pings').select('n').where('check_id', '=', id).orderBy('n').execute()).map((r) => Number(r.n));
    expect(ns).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it('a write computed from a stale row version stores nothing (another writer got there first)', async () => {
    const id = await insertCheck(t.db, { tenantId: null, pingKey, name: 'raced' }, a.clock.now());
    const [row] = await readChecks(t.db, [id]);
    // Meanwhile the deadline evaluator (or the API) changes the check.
    await t.db.updateTable('checks').set({ status: 'paused' }).where('id', '=', id).execute();
    const applied = applyPing(rowToState(row!), { kind: null, rid: null, scheduledFor: null, bodyText: '' }, a.clock.now());
    const written = await commitPingBatch(
      t.db,
      {
        checks: [{ id, rowVersion: row!.row_version, state: applied.state }],
        pings: [{ checkId: id, n: 1n, created: a.clock.now(), kind: null, scheme: 'http', remoteAddr: null, method: 'GET', ua: '', body: null, exitStatus: null, rid: null, scheduledFor: null }],
        flips: [{ checkId: id, tenantId: null, flip: applied.flip! }],
      },
      a.clock.now(),
    );
    expect(written.size).toBe(0);
    expect(await t.db.selectFrom('pings').select('n').where('check_id', '=', id).execute()).toEqual([]);
    expect(await t.db.selectFrom('flips').select('id').where('check_id', '=', id).execute()).toEqual([]);
    expect((await t.db.selectFrom('checks').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('paused');
  });

  it('a check the intake remembers but someone else changed is read afresh, never written from the stale copy', async () => {
    const id = await insertCheck(t.db, { tenantId: null, pingKey, name: 'remembered' }, a.clock.now());
    expect((await a.app.request(`/ping/${id}`)).status).toBe(200); // the intake now holds this check's row
    // Meanwhile the API (or another instance) pauses it and asks for a manual resume.
    await t.db.updateTable('checks').set({ status: 'paused', manual_resume: true }).where('id', '=', id).execute();

    expect((await a.app.request(`/ping/${id}`)).status).toBe(200);
    const check = await t.db.selectFrom('checks').select(['status', 'n_pings']).where('id', '=', id).executeTakeFirstOrThrow();
    // Written from the remembered row, the ping would have made the check "up"; read afresh, manual_resume holds it paused.
    expect(check.status).toBe('paused');
    expect(check.n_pings).toBe(2n);
    const kinds = (await t.db.selectFrom('pings').select(['n', 'kind']).where('check_id', '=', id).orderBy('n').execute()).map((r) => r.kind);
    expect(kinds).toEqual([null, 'ign']);
  });

  it('keeps ping bodies byte for byte, including bytes that are not UTF-8', async () => {
    const id = await insertCheck(t.db, { tenantId: null, pingKey, name: 'binary body' }, a.clock.now());
    const body = new Uint8Array([0, 1, 0xfe, 0xff, 0x22, 0x5c, 0x0a, 0xe2, 0x82]);
    expect((await a.app.request(`/ping/${id}/log`, { method: 'POST', body })).status).toBe(200);
    const row = await t.db.selectFrom('pings').select('body').where('check_id', '=', id).executeTakeFirstOrThrow();
    expect([...row.body!]).toEqual([...body]);
  });
});
