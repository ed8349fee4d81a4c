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
 */
export async function claimNextSignal(trx: Transaction<Database>): Promise<SignalRow | undefined> {
  const { rows } = await sql<SignalRow>`
    select * from signals s
    where s.processed_at is null
      and s.id = (select min(id) from signals s2 where s2.source = s.source and s2.processed_at is null)
    order by s.id limit 1 for update skip locked`.execute(trx);
  return rows[0];
}

export async function markSignalProcessed(trx: Transaction<Database>, id: bigint, now: Date): Promise<void> {
  await trx.updateTable('signals').set({ processed_at: now }).where('id', '=', id).execute();
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
