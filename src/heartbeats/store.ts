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
    // PGlite and pg both parse jsonb; a string would be a driver that does not.
    openRuns: typeof row.open_runs === 'string' ? JSON.parse(row.open_runs) : (row.open_runs ?? {}),
    minDurationS: row.min_duration_s,
    maxDurationS: row.max_duration_s,
    pausedUntil: row.paused_until,
    silencedUntil: row.silenced_until,
    silenceNote: row.silence_note,
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

const iso = (d: Date | null) => (d === null ? null : d.toISOString());
const text = (n: bigint | null) => (n === null ? null : n.toString());

/**
 * Writes a batch of ping outcomes in one statement (one round trip, one
 * commit): each check is updated only if its row version is still the one
 * the batch was computed from (no other writer, ping batch, evaluator or API,
 * touched it meanwhile), and only the pings and flips of the checks
 * actually updated are inserted. Returns the checks written, each with its
 * new row version; the caller recomputes and retries the rest (another batch
 * got there first).
 *
 * The rows travel as three JSON parameters: serializing them is one native
 * `JSON.stringify` instead of escaping some thirty array literals element by
 * element, which at a few dozen pings per batch cost more than the statement.
 * They are read as `jsonb`, which Postgres parses once; `json` is parsed on
 * input and again by the record set.
 */
export async function commitPingBatch(
  db: Db,
  batch: {
    checks: { id: string; rowVersion: string; state: CheckState }[];
    pings: PingRecord[];
    flips: { checkId: string; tenantId: string | null; flip: FlipDraft }[];
  },
  now: Date,
): Promise<Map<string, string>> {
  if (batch.checks.length === 0) return new Map();
  const checks = JSON.stringify(
    batch.checks.map(({ id, rowVersion, state: s }) => ({
      id,
      seen: rowVersion,
      status: s.status,
      last_ping: iso(s.lastPing),
      last_start: iso(s.lastStart),
      last_start_rid: s.lastStartRid,
      last_duration_ms: text(s.lastDurationMs),
      reference_at: iso(s.referenceAt),
      recent_outcomes: s.recentOutcomes,
      n_pings: text(s.nPings),
      has_confirmation_link: s.hasConfirmationLink,
      alert_after: iso(s.alertAfter),
      rearmed_after_outage: s.rearmedAfterOutage,
      open_runs: s.openRuns,
      paused_until: iso(s.pausedUntil),
      silenced_until: iso(s.silencedUntil),
      silence_note: s.silenceNote,
    })),
  );
  const pings = JSON.stringify(
    batch.pings.map((r) => ({
      check_id: r.checkId,
      n: r.n.toString(),
      created: r.created.toISOString(),
      kind: r.kind,
      scheme: r.scheme,
      remote_addr: r.remoteAddr,
      method: r.method,
      ua: r.ua,
      body_hex: r.body === null ? null : Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength).toString('hex'),
      exitstatus: r.exitStatus,
      rid: r.rid,
      scheduled_for: iso(r.scheduledFor),
      duration_ms: text(r.durationMs ?? null),
    })),
  );
  const flips = JSON.stringify(
    batch.flips.map(({ checkId, tenantId, flip }) => ({
      check_id: checkId,
      tenant_id: tenantId,
      created: flip.at.toISOString(),
      old_status: flip.oldStatus,
      new_status: flip.newStatus,
      reason: flip.reason,
      detail: flip.detail,
    })),
  );
  // The id list repeats the join key for the planner: it takes every JSON record set for 100
  // rows, so once `checks` is analyzed at a few thousand rows it scanned the whole table per
  // batch (1.9 ms for 35 rows of 1,000); with the list it reads the 35 rows by primary key (0.7 ms).
  //
  // Rows are locked in one global order (by id) before any is updated: two batches updating
  // overlapping checks in arrival order would otherwise lock them in different orders and
  // deadlock (each then waits out deadlock_timeout, 1 s, before one fails). The update only
  // touches rows `locked` already holds, so every wait is for a row after all the rows held.
  const ids = batch.checks.map((c) => c.id);
  const { rows } = await sql<{ id: string; row_version: string }>`
    with locked as materialized (
      select id from checks where id = any(${ids}::uuid[]) order by id for no key update
    ), u as (
      update checks c set
        status = u.status, last_ping = u.last_ping, last_start = u.last_start, last_start_rid = u.last_start_rid,
        last_duration_ms = u.last_duration_ms, reference_at = u.reference_at, recent_outcomes = u.recent_outcomes,
        n_pings = u.n_pings, has_confirmation_link = u.has_confirmation_link, alert_after = u.alert_after,
        rearmed_after_outage = u.rearmed_after_outage, open_runs = u.open_runs, paused_until = u.paused_until,
        silenced_until = u.silenced_until, silence_note = u.silence_note, updated_at = ${now}
      from jsonb_to_recordset(${checks}::jsonb) as u(
        id uuid, seen text, status text, last_ping timestamptz, last_start timestamptz, last_start_rid uuid,
        last_duration_ms bigint, reference_at timestamptz, recent_outcomes text, n_pings bigint,
        has_confirmation_link boolean, alert_after timestamptz, rearmed_after_outage boolean, open_runs jsonb,
        paused_until timestamptz, silenced_until timestamptz, silence_note text)
      where c.id = u.id and c.xmin::text = u.seen and c.id = any(${ids}::uuid[]) and c.id in (select id from locked)
      returning c.id, c.xmin::text as row_version
    ), ins_pings as (
      insert into pings (check_id, n, created, kind, scheme, remote_addr, method, ua, body, exitstatus, rid, scheduled_for, duration_ms)
      select x.check_id, x.n, x.created, x.kind, x.scheme, x.remote_addr, x.method, x.ua, decode(x.body_hex, 'hex'),
             x.exitstatus, x.rid, x.scheduled_for, x.duration_ms
      from jsonb_to_recordset(${pings}::jsonb) as x(
        check_id uuid, n bigint, created timestamptz, kind text, scheme text, remote_addr text, method text, ua text,
        body_hex text, exitstatus smallint, rid uuid, scheduled_for timestamptz, duration_ms bigint)
      where x.check_id in (select id from u)
    ), ins_flips as (
      insert into flips (check_id, tenant_id, created, detected_at, processed, old_status, new_status, reason, detail)
      select y.check_id, y.tenant_id, y.created, ${now}, ${now}::timestamptz, y.old_status, y.new_status, y.reason, y.detail
      from jsonb_to_recordset(${flips}::jsonb) as y(
        check_id uuid, tenant_id uuid, created timestamptz, old_status text, new_status text, reason text, detail text)
      where y.check_id in (select id from u)
    )
    select id, row_version from u`.execute(db);
  return new Map(rows.map((r) => [r.id, r.row_version]));
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
  /** The run this ping closed (success or fail); absent or null when none. */
  durationMs?: bigint | null;
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
        // The flip's signal is written in the same transaction (signals/), so it is processed at once.
        processed: detectedAt,
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
      open_runs = u.open_runs::jsonb, paused_until = u.paused_until, silenced_until = u.silenced_until, silence_note = u.silence_note,
      updated_at = ${now}
    from unnest(
      ${items.map((i) => i.id)}::uuid[], ${items.map((i) => i.seen)}::text[], ${col((s) => s.status)}::text[],
      ${col((s) => s.lastStart)}::timestamptz[], ${col((s) => s.lastStartRid)}::uuid[], ${col((s) => s.referenceAt)}::timestamptz[],
      ${col((s) => s.recentOutcomes)}::text[], ${col((s) => s.alertAfter)}::timestamptz[], ${col((s) => s.rearmedAfterOutage)}::boolean[],
      ${col((s) => JSON.stringify(s.openRuns))}::text[], ${col((s) => s.pausedUntil)}::timestamptz[], ${col((s) => s.silencedUntil)}::timestamptz[],
      ${col((s) => s.silenceNote)}::text[]
    ) as u(id, seen, status, last_start, last_start_rid, reference_at, recent_outcomes, alert_after, rearmed_after_outage,
           open_runs, paused_until, silenced_until, silence_note)
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
    where id in (
      select id from checks where status <> 'down' and alert_after > ${gapStart} and alert_after <= ${now}
      order by id for no key update
    ) and status <> 'down' and alert_after > ${gapStart} and alert_after <= ${now}`.execute(db);
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

/** The newest ping body of each check (as text; at most 4 KB read), for the evidence of a down alert. */
export async function lastPingBodies(db: Db, checkIds: string[]): Promise<Map<string, string>> {
  if (checkIds.length === 0) return new Map();
  const { rows } = await sql<{ check_id: string; body: Uint8Array | null }>`
    select c.id as check_id, p.body
    from unnest(${checkIds}::uuid[]) as c(id)
    cross join lateral (select substring(body from 1 for 4096) as body from pings where check_id = c.id order by n desc limit 1) p`.execute(db);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  return new Map(rows.filter((r) => r.body && r.body.length > 0).map((r) => [r.check_id, decoder.decode(r.body!)]));
}

/** The newest closed runs of each check (at most `limit`, in ms), for the usual range a down alert quotes. */
export async function recentDurations(db: Db, checkIds: string[], limit: number): Promise<Map<string, number[]>> {
  if (checkIds.length === 0) return new Map();
  const { rows } = await sql<{ check_id: string; duration_ms: string }>`
    select c.id as check_id, p.duration_ms::text as duration_ms
    from unnest(${checkIds}::uuid[]) as c(id)
    cross join lateral (
      select duration_ms from pings where check_id = c.id and duration_ms is not null order by n desc limit ${limit}
    ) p`.execute(db);
  const out = new Map<string, number[]>();
  for (const r of rows) out.set(r.check_id, [...(out.get(r.check_id) ?? []), Number(r.duration_ms)]);
  return out;
}
