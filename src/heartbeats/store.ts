import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { CheckState, FlipDraft } from './transitions.js';
import type { CheckTable, PingKind } from './table.js';

type Db = Kysely<Database> | Transaction<Database>;
export type CheckRow = Selectable<CheckTable>;

export function rowToState(row: CheckRow): CheckState {
  return {
    kind: row.kind,
    timeoutS: row.timeout_s,
    graceS: row.grace_s,
    schedule: row.schedule,
    tz: row.tz,
    status: row.status,
    lastStart: row.last_start,
    referenceAt: row.reference_at,
    lastPing: row.last_ping,
    lastStartRid: row.last_start_rid,
    lastDurationMs: row.last_duration_ms,
    nPings: BigInt(row.n_pings),
    hasConfirmationLink: row.has_confirmation_link,
    recentOutcomes: row.recent_outcomes,
    failureThreshold: row.failure_threshold,
    recoveryThreshold: row.recovery_threshold,
    manualResume: row.manual_resume,
    alertAfter: row.alert_after,
    rearmedAfterOutage: row.rearmed_after_outage,
  };
}

/**
 * The checks as they are now, each with its row version (Postgres' `xmin`,
 * which every update of the row changes, whoever makes it).
 */
export async function readChecks(db: Db, ids: string[]): Promise<(CheckRow & { row_version: string })[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('checks')
    .selectAll()
    .select(sql<string>`xmin::text`.as('row_version'))
    .where('id', 'in', ids)
    .execute();
}

/** Postgres array literals need Buffers for bytea elements, not bare Uint8Arrays. */
function asBuffer(body: Uint8Array | null): Buffer | null {
  return body === null ? null : Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/**
 * Writes a batch of ping outcomes in one statement (one round trip, one
 * commit): each check is updated only if its row version is still the one
 * the batch was computed from (no other writer, ping batch, evaluator or API,
 * touched it meanwhile), and only the pings and flips of the checks
 * actually updated are inserted. Returns the ids written; the caller
 * recomputes and retries the rest (another batch got there first).
 */
export async function commitPingBatch(
  db: Db,
  batch: {
    checks: { id: string; rowVersion: string; state: CheckState }[];
    pings: PingRecord[];
    flips: { checkId: string; tenantId: string | null; flip: FlipDraft }[];
  },
  now: Date,
): Promise<Set<string>> {
  if (batch.checks.length === 0) return new Set();
  const col = <T>(f: (s: CheckState) => T) => batch.checks.map((i) => f(i.state));
  const p = batch.pings;
  const f = batch.flips;
  const { rows } = await sql<{ id: string }>`
    with u as (
      update checks c set
        status = u.status, last_ping = u.last_ping, last_start = u.last_start, last_start_rid = u.last_start_rid,
        last_duration_ms = u.last_duration_ms, reference_at = u.reference_at, recent_outcomes = u.recent_outcomes,
        n_pings = u.n_pings, has_confirmation_link = u.has_confirmation_link, alert_after = u.alert_after,
        rearmed_after_outage = u.rearmed_after_outage, updated_at = ${now}
      from unnest(
        ${batch.checks.map((i) => i.id)}::uuid[], ${batch.checks.map((i) => i.rowVersion)}::text[],
        ${col((s) => s.status)}::text[], ${col((s) => s.lastPing)}::timestamptz[], ${col((s) => s.lastStart)}::timestamptz[],
        ${col((s) => s.lastStartRid)}::uuid[], ${col((s) => s.lastDurationMs)}::bigint[], ${col((s) => s.referenceAt)}::timestamptz[],
        ${col((s) => s.recentOutcomes)}::text[], ${col((s) => s.nPings)}::bigint[], ${col((s) => s.hasConfirmationLink)}::boolean[],
        ${col((s) => s.alertAfter)}::timestamptz[], ${col((s) => s.rearmedAfterOutage)}::boolean[]
      ) as u(id, seen, status, last_ping, last_start, last_start_rid, last_duration_ms, reference_at, recent_outcomes,
             n_pings, has_confirmation_link, alert_after, rearmed_after_outage)
      where c.id = u.id and c.xmin::text = u.seen
      returning c.id
    ), ins_pings as (
      insert into pings (check_id, n, created, kind, scheme, remote_addr, method, ua, body, exitstatus, rid, scheduled_for)
      select x.* from unnest(
        ${p.map((r) => r.checkId)}::uuid[], ${p.map((r) => r.n)}::bigint[], ${p.map((r) => r.created)}::timestamptz[],
        ${p.map((r) => r.kind)}::text[], ${p.map((r) => r.scheme)}::text[], ${p.map((r) => r.remoteAddr)}::text[],
        ${p.map((r) => r.method)}::text[], ${p.map((r) => r.ua)}::text[], ${p.map((r) => asBuffer(r.body))}::bytea[],
        ${p.map((r) => r.exitStatus)}::smallint[], ${p.map((r) => r.rid)}::uuid[], ${p.map((r) => r.scheduledFor)}::timestamptz[]
      ) as x(check_id, n, created, kind, scheme, remote_addr, method, ua, body, exitstatus, rid, scheduled_for)
      where x.check_id in (select id from u)
    ), ins_flips as (
      insert into flips (check_id, tenant_id, created, detected_at, processed, old_status, new_status, reason, detail)
      select y.check_id, y.tenant_id, y.created, ${now}, case when y.silent then ${now}::timestamptz end, y.old_status, y.new_status, y.reason, y.detail
      from unnest(
        ${f.map((r) => r.checkId)}::uuid[], ${f.map((r) => r.tenantId)}::uuid[], ${f.map((r) => r.flip.at)}::timestamptz[],
        ${f.map((r) => r.flip.silent)}::boolean[], ${f.map((r) => r.flip.oldStatus)}::text[], ${f.map((r) => r.flip.newStatus)}::text[],
        ${f.map((r) => r.flip.reason)}::text[], ${f.map((r) => r.flip.detail)}::text[]
      ) as y(check_id, tenant_id, created, silent, old_status, new_status, reason, detail)
      where y.check_id in (select id from u)
    )
    select id from u`.execute(db);
  return new Set(rows.map((r) => r.id));
}

export interface PingRecord {
  checkId: string;
  n: bigint;
  created: Date;
  kind: PingKind;
  scheme: string;
  remoteAddr: string | null;
  method: string;
  ua: string;
  body: Uint8Array | null;
  exitStatus: number | null;
  rid: string | null;
  scheduledFor: Date | null;
}

export async function insertFlips(
  trx: Db,
  flips: { checkId: string; tenantId: string | null; flip: FlipDraft }[],
  detectedAt: Date,
): Promise<void> {
  if (flips.length === 0) return;
  await trx
    .insertInto('flips')
    .values(
      flips.map(({ checkId, tenantId, flip }) => ({
        check_id: checkId,
        tenant_id: tenantId,
        created: flip.at,
        detected_at: detectedAt,
        processed: flip.silent ? detectedAt : null,
        old_status: flip.oldStatus,
        new_status: flip.newStatus,
        reason: flip.reason,
        detail: flip.detail,
      })),
    )
    .execute();
}

/** Checks whose deadline has passed and that could still go down; skips rows another instance holds. */
export async function lockDueChecks(trx: Transaction<Database>, now: Date, limit: number): Promise<CheckRow[]> {
  return trx
    .selectFrom('checks')
    .selectAll()
    .where('status', '<>', 'down')
    .where('alert_after', 'is not', null)
    .where('alert_after', '<=', now)
    .orderBy('alert_after')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

/**
 * Guarded status write for the evaluator: only applies while the status is
 * still the one the evaluator saw, so two instances never flip one check twice.
 * Returns the ids that were written.
 */
export async function saveEvaluatedStates(
  trx: Db,
  items: { id: string; seen: string; state: CheckState }[],
  now: Date,
): Promise<Set<string>> {
  if (items.length === 0) return new Set();
  const col = <T>(f: (s: CheckState) => T) => items.map((i) => f(i.state));
  const { rows } = await sql<{ id: string }>`
    update checks c set
      status = u.status, last_start = u.last_start, last_start_rid = u.last_start_rid, reference_at = u.reference_at,
      recent_outcomes = u.recent_outcomes, alert_after = u.alert_after, rearmed_after_outage = u.rearmed_after_outage,
      updated_at = ${now}
    from unnest(
      ${items.map((i) => i.id)}::uuid[], ${items.map((i) => i.seen)}::text[], ${col((s) => s.status)}::text[],
      ${col((s) => s.lastStart)}::timestamptz[], ${col((s) => s.lastStartRid)}::uuid[], ${col((s) => s.referenceAt)}::timestamptz[],
      ${col((s) => s.recentOutcomes)}::text[], ${col((s) => s.alertAfter)}::timestamptz[], ${col((s) => s.rearmedAfterOutage)}::boolean[]
    ) as u(id, seen, status, last_start, last_start_rid, reference_at, recent_outcomes, alert_after, rearmed_after_outage)
    where c.id = u.id and c.status = u.seen
    returning c.id`.execute(trx);
  return new Set(rows.map((r) => r.id));
}

/** The earliest pending deadline, for the evaluator's sleep. */
export async function earliestDeadline(db: Db): Promise<Date | null> {
  const row = await db
    .selectFrom('checks')
    .select('alert_after')
    .where('status', '<>', 'down')
    .where('alert_after', 'is not', null)
    .orderBy('alert_after')
    .limit(1)
    .executeTakeFirst();
  return row?.alert_after ?? null;
}

/**
 * After Overdue itself was away: deadlines that fell inside the gap get one
 * fresh grace period from now, and the next flip will say why.
 */
export async function rearmDeadlinesInGap(db: Db, gapStart: Date, now: Date): Promise<number> {
  const result = await sql`
    update checks set alert_after = ${now}::timestamptz + make_interval(secs => grace_s), rearmed_after_outage = true, updated_at = ${now}
    where status <> 'down' and alert_after > ${gapStart} and alert_after <= ${now}`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

export async function readServiceTime(db: Db, key: string): Promise<Date | null> {
  const row = await db.selectFrom('service_state').select('value').where('key', '=', key).executeTakeFirst();
  return typeof row?.value === 'string' ? new Date(row.value) : null;
}

/** Records a time under `key`, never moving it backwards (several instances write it). */
export async function recordServiceTime(db: Db, key: string, at: Date): Promise<void> {
  await sql`
    insert into service_state (key, value, updated_at) values (${key}, ${JSON.stringify(at.toISOString())}::jsonb, ${at})
    on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at
    where service_state.updated_at < excluded.updated_at`.execute(db);
}
