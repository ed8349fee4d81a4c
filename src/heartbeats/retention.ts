import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';

const FLIP_RETENTION_MS = 93 * 24 * 3600 * 1000;

/** Deletes up to `batch` pings older than each check's newest `keep`; returns how many. */
export async function prunePings(db: Kysely<Database>, keep: number, batch: number): Promise<number> {
  const result = await sql`
    delete from pings p using (
      select o.check_id, o.n from pings o join checks c on c.id = o.check_id
      where o.n <= c.n_pings - ${keep}
      limit ${batch}
    ) old
    where p.check_id = old.check_id and p.n = old.n`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

/** Deletes up to `batch` flips older than 93 days; returns how many. */
export async function pruneFlips(db: Kysely<Database>, now: Date, batch: number): Promise<number> {
  const result = await sql`
    delete from flips where id in (
      select id from flips where created < ${new Date(now.getTime() - FLIP_RETENTION_MS)} limit ${batch}
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

/**
 * Keeps the newest `keep` pings per check and 93 days of flips. Works in small
 * batches, each its own short statement, so no lock is held for long.
 */
export async function pruneRetained(
  deps: { db: Kysely<Database>; clock: Clock; logger: Logger; keep: number; batch?: number },
  signal: AbortSignal,
): Promise<{ pings: number; flips: number }> {
  const batch = deps.batch ?? 5000;
  let pings = 0;
  let flips = 0;
  for (let n = batch; n === batch && !signal.aborted; pings += n) n = await prunePings(deps.db, deps.keep, batch);
  for (let n = batch; n === batch && !signal.aborted; flips += n) n = await pruneFlips(deps.db, deps.clock.now(), batch);
  if (pings > 0 || flips > 0) deps.logger.info({ pings, flips }, 'pruned old pings and flips');
  return { pings, flips };
}
