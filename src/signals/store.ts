import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { SignalKind, SignalTable } from './table.js';

type Db = Kysely<Database> | Transaction<Database>;
export type SignalRow = Selectable<SignalTable>;

export interface SignalDraft {
  source: string;
  kind: SignalKind;
  tenantId: string | null;
  component: string | null;
  severity: string;
  summary: string;
  evidence: Record<string, unknown>;
  likelyCause: string | null;
  /** When it happened; the recording instant when absent. */
  at?: Date;
}

/** Records signals; pass the producer's transaction so they commit with the change they report. */
export async function recordSignals(db: Db, drafts: SignalDraft[], now: Date): Promise<void> {
  if (drafts.length === 0) return;
  await db
    .insertInto('signals')
    .values(
      drafts.map((s) => ({
        source: s.source,
        kind: s.kind,
        tenant_id: s.tenantId,
        component: s.component,
        severity: s.severity,
        summary: s.summary,
        evidence: JSON.stringify(s.evidence),
        likely_cause: s.likelyCause,
        created_at: s.at ?? now,
        processed_at: null,
      })),
    )
    .execute();
}

export async function recordSignal(db: Db, draft: SignalDraft, now: Date): Promise<void> {
  await recordSignals(db, [draft], now);
}

/**
 * Locks the oldest unprocessed signal of some source that no other consumer
 * is handling (so each source's signals are handled one at a time, in order).
 * A source whose oldest signal waits for its retry (`retry_at` after `now`)
 * is skipped whole: its later signals wait behind it, other sources do not.
 */
export async function claimNextSignal(trx: Transaction<Database>, now: Date): Promise<SignalRow | undefined> {
  const { rows } = await sql<SignalRow>`
    select * from signals s
    where s.processed_at is null
      and (s.retry_at is null or s.retry_at <= ${now}::timestamptz)
      and s.id = (select min(id) from signals s2 where s2.source = s.source and s2.processed_at is null)
    order by s.id limit 1 for update skip locked`.execute(trx);
  return rows[0];
}

export async function markSignalProcessed(trx: Transaction<Database>, id: bigint, now: Date): Promise<void> {
  await trx.updateTable('signals').set({ processed_at: now, retry_at: null }).where('id', '=', id).execute();
}

/** The signal, locked, if the incident loop has not handled or parked it yet (another instance may have). */
export async function lockUnprocessedSignal(trx: Transaction<Database>, id: bigint): Promise<SignalRow | undefined> {
  return trx.selectFrom('signals').selectAll().where('id', '=', id).where('processed_at', 'is', null).forUpdate().executeTakeFirst();
}

/** A failed attempt: tried again at `retryAt`. */
export async function setSignalRetry(trx: Transaction<Database>, id: bigint, r: { attempts: number; retryAt: Date; error: string }): Promise<void> {
  await trx.updateTable('signals').set({ attempts: r.attempts, retry_at: r.retryAt, last_error: r.error }).where('id', '=', id).execute();
}

/** Gives up on a signal: parked with its error and counted as handled, so its source's next signals proceed. */
export async function parkSignal(trx: Transaction<Database>, id: bigint, p: { attempts: number; error: string }, now: Date): Promise<void> {
  await trx.updateTable('signals').set({ attempts: p.attempts, retry_at: null, parked_at: now, processed_at: now, last_error: p.error }).where('id', '=', id).execute();
}

/** Parked signals, newest first, below `before` (a previous page's last id). */
export async function listParkedSignals(db: Db, limit: number, before?: bigint): Promise<SignalRow[]> {
  let q = db.selectFrom('signals').selectAll().where('parked_at', 'is not', null);
  if (before !== undefined) q = q.where('id', '<', before);
  return q.orderBy('id', 'desc').limit(limit).execute();
}

export async function findSignal(db: Db, id: bigint): Promise<SignalRow | undefined> {
  return db.selectFrom('signals').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Whether a signal of `source` newer than `id` was handled already (retrying `id` would then replay it out of order). */
export async function newerSignalHandled(db: Db, source: string, id: bigint): Promise<boolean> {
  const row = await db.selectFrom('signals').select('id').where('source', '=', source).where('id', '>', id).where('processed_at', 'is not', null).where('parked_at', 'is', null).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Puts a parked signal back in its source's queue with fresh attempts; false when it is not parked. */
export async function unparkSignal(db: Db, id: bigint): Promise<boolean> {
  const r = await db.updateTable('signals').set({ parked_at: null, processed_at: null, retry_at: null, attempts: 0 }).where('id', '=', id).where('parked_at', 'is not', null).executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

/** How many times `source` started failing since `since`. */
export async function failingCountSince(db: Db, source: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('signals')
    .select((eb) => eb.fn.countAll<bigint>().as('n'))
    .where('source', '=', source)
    .where('kind', '=', 'failing')
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Summaries of the repairs that finished for any of `sources` since `since`, oldest first. */
export async function finishedRepairsSince(db: Db, sources: string[], since: Date): Promise<string[]> {
  if (sources.length === 0) return [];
  const rows = await db
    .selectFrom('signals')
    .select('summary')
    .where('source', 'in', sources)
    .where('kind', '=', 'update')
    .where('created_at', '>=', since)
    .where(sql<boolean>`evidence->>'phase' = 'finished'`)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.summary);
}

/**
 * Of `sources`, those that are stable: their latest failing/recovered signal
 * is not a failure and is no newer than `quietSince` (or they have none).
 */
export async function stableSources(db: Db, sources: string[], quietSince: Date): Promise<Set<string>> {
  if (sources.length === 0) return new Set();
  const { rows } = await sql<{ source: string }>`
    select x.source from unnest(${sources}::text[]) as x(source)
    join lateral (
      select kind, created_at from signals s where s.source = x.source and s.kind in ('failing', 'recovered') order by s.id desc limit 1
    ) last on true
    where last.kind = 'failing' or last.created_at > ${quietSince}::timestamptz`.execute(db);
  const unstable = new Set(rows.map((r) => r.source));
  return new Set(sources.filter((s) => !unstable.has(s)));
}
