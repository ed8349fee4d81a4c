import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { insertCheck } from '../../src/heartbeats/checks-store.js';
import { commitPingBatch, readChecks, rowToState, type PingRecord } from '../../src/heartbeats/store.js';
import { applyPing } from '../../src/heartbeats/transitions.js';
import { ManualClock } from '../support/clock.js';
import { testOverdue } from '../support/app.js';
import { onPostgres, testDatabase, type TestDatabase } from '../support/db.js';

/** Deadlocks this database has seen, as counted by the server. */
async function deadlocks(db: DatabaseHandle['db']): Promise<number> {
  const { rows } = await sql<{ n: string }>`select deadlocks::text as n from pg_stat_database where datname = current_database()`.execute(db);
  return Number(rows[0]!.n);
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// Two batches that update overlapping checks in different orders lock rows in
// different orders, and Postgres resolves that with a deadlock error after
// deadlock_timeout (1 s): a 1 s stall for every ping in both batches. PGlite is
// one session; this is a multi-session property, on Postgres only.
describe.skipIf(!onPostgres)('ping batches over overlapping checks (Postgres: several sessions)', () => {
  let t: TestDatabase;
  const clock = new ManualClock('2026-05-01T00:00:00Z');
  let ids: string[] = [];
  beforeAll(async () => {
    t = await testDatabase();
    const o = testOverdue({ database: t, clock });
    const pingKey = (await o.start()).platformPingKey!;
    await o.stop();
    for (let i = 0; i < 30; i++) ids.push(await insertCheck(t.db, { tenantId: null, pingKey, name: `hot-${i}` }, clock.now()));
  });
  afterAll(() => t?.close());

  it('lock rows in one global order: concurrent batches in random orders never deadlock', async () => {
    const pools = Array.from({ length: 4 }, () => t.another());
    const before = await deadlocks(t.db);
    const errors: string[] = [];
    let written = 0;
    const worker = async (db: DatabaseHandle['db'], seed: number) => {
      for (let round = 0; round < 20; round++) {
        const chosen = shuffled(ids, seed * 1000 + round).slice(0, 20);
        const rows = new Map((await readChecks(db, chosen)).map((r) => [r.id, r]));
        const checks = [];
        const pings: PingRecord[] = [];
        for (const id of chosen) {
          const row = rows.get(id)!;
          const applied = applyPing(rowToState(row), { kind: null, rid: null, scheduledFor: null, bodyText: '' }, clock.now());
          checks.push({ id, rowVersion: row.row_version, state: applied.state });
          pings.push({ checkId: id, n: applied.state.nPings, created: clock.now(), kind: applied.kind, scheme: 'http', remoteAddr: null, method: 'GET', ua: '', body: null, exitStatus: null, rid: null, scheduledFor: null });
        }
        try {
          written += (await commitPingBatch(db, { checks, pings, flips: [] }, clock.now())).size;
        } catch (err) {
          errors.push(`${(err as { code?: string }).code}: ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(pools.flatMap((p, i) => [worker(p.db, i * 2 + 1), worker(p.db, i * 2 + 2)]));
    await Promise.all(pools.map((p) => p.close())); // a backend's counters reach pg_stat_database when it exits
    let after = await deadlocks(t.db);
    for (let i = 0; i < 20 && after === before && errors.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await deadlocks(t.db);
    }
    expect(errors).toEqual([]);
    expect(after - before).toBe(0);
    expect(written).toBeGreaterThan(0);
  }, 60_000);
});
