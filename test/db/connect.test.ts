import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { capturingLogger } from '../support/quiet.js';
import { backend, onPostgres, testDatabase, type TestDatabase } from '../support/db.js';

describe(`database connection on ${backend}`, () => {
  let t: TestDatabase;
  const { logger, lines } = capturingLogger();
  beforeAll(async () => {
    t = await testDatabase({ logger });
  });
  afterAll(() => t?.close());

  it('reads int8 as bigint (no rounding past 2^53), dates as text, timestamptz as Date', async () => {
    const { rows } = await sql<{ big: bigint; n: bigint; day: string; at: Date }>`
      select 9007199254740993::int8 as big, count(*) as n, date '2024-02-29' as day,
             timestamptz '2025-05-17 02:00:00-05' as at
      from generate_series(1, 3)`.execute(t.db);
    expect(rows[0]).toEqual({ big: 9007199254740993n, n: 3n, day: '2024-02-29', at: new Date('2025-05-17T07:00:00Z') });
  });

  it('rolls a failed transaction back and stays usable', async () => {
    await expect(
      t.db.transaction().execute(async (trx) => {
        await sql`create table tx_probe (id int)`.execute(trx);
        await sql`select 1/0`.execute(trx);
      }),
    ).rejects.toThrow(/division by zero/);
    const { rows } = await sql<{ present: boolean }>`select to_regclass('tx_probe') is not null as present`.execute(t.db);
    expect(rows[0]!.present).toBe(false);
  });

  it.runIf(onPostgres)('an idle client killed by the server is logged, never crashes, and the pool recovers', async () => {
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(t.db);
    const pid = rows[0]!.pid;
    const other = t.another();
    await sql`select pg_terminate_backend(${pid})`.execute(other.db);
    await vi.waitFor(() => expect(lines.some((l) => l.msg === 'idle database client failed; it was dropped from the pool')).toBe(true));
    const again = await sql<{ one: number }>`select 1 as one`.execute(t.db);
    expect(again.rows[0]!.one).toBe(1);
  });

  it.runIf(onPostgres)('a client killed while checked out between two queries fails only its transaction; the process lives and the pool recovers', async () => {
    const other = t.another();
    let release!: () => void;
    const paused = new Promise<void>((r) => (release = r));
    let pidSeen!: (pid: number) => void;
    const pid = new Promise<number>((r) => (pidSeen = r));
    const work = t.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
      pidSeen(rows[0]!.pid);
      await paused; // the client is checked out and between queries here
      await sql`select 1`.execute(trx);
    });
    await sql`select pg_terminate_backend(${await pid})`.execute(other.db);
    await vi.waitFor(() => expect(lines.some((l) => /lost while in use/.test(l.msg ?? ''))).toBe(true));
    release();
    await expect(work).rejects.toThrow();
    const again = await sql<{ one: number }>`select 1 as one`.execute(t.db);
    expect(again.rows[0]!.one).toBe(1);
  });
});
