import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { SignalRow } from './store.js';

/**
 * Alerting's own cursor over signals (`alerted_at`), independent of the
 * incident loop's: a signal is alerted once whatever incidents make of it.
 * SKIP LOCKED, so instances take disjoint signals.
 */
export async function claimUnalertedSignals(trx: Transaction<Database>, limit: number): Promise<SignalRow[]> {
  const { rows } = await sql<SignalRow>`select * from signals where alerted_at is null order by id limit ${limit} for update skip locked`.execute(trx);
  return rows;
}

export async function markSignalsAlerted(trx: Transaction<Database>, ids: bigint[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await trx.updateTable('signals').set({ alerted_at: now }).where('id', 'in', ids).execute();
}

/** Whether alerting has anything to do: a signal not yet alerted or an event not yet dispatched (one cheap query when idle). */
export async function alertWorkPending(db: Kysely<Database>): Promise<boolean> {
  const { rows } = await sql<{ pending: boolean }>`
    select exists (select 1 from signals where alerted_at is null) or exists (select 1 from alert_events where dispatched_at is null) as pending`.execute(db);
  return rows[0]?.pending === true;
}
