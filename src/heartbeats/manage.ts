import type { Kysely, Updateable } from 'kysely';
import type { Database } from '../db/database.js';
import { ensurePingKey, insertCheck } from './checks-store.js';
import { deleteCheckRow, findCheck, findCheckMatching, lockCheck, updateCheckRow, type Scope } from './manage-store.js';
import { commitPingBatch, readChecks, rowToState, type CheckRow } from './store.js';
import type { CheckTable } from './table.js';
import { deadlineOf, pause, resume } from './transitions.js';
import type { CheckSpec } from './v3-validate.js';

const DEFAULTS = { name: '', slug: '', tags: '', timeout: 86_400, grace: 3_600 } as const;

/** Column values for the fields a spec sets; `schedule` makes a cron check, `timeout` alone a simple one. */
function columnsFor(spec: CheckSpec): Updateable<CheckTable> {
  const v: Updateable<CheckTable> = {};
  if (spec.name !== undefined) v.name = spec.name;
  if (spec.slug !== undefined) v.slug = spec.slug;
  if (spec.tags !== undefined) v.tags = spec.tags;
  if (spec.desc !== undefined) v.description = spec.desc;
  if (spec.timeout !== undefined) {
    v.timeout_s = spec.timeout;
    v.kind = 'simple';
  }
  if (spec.grace !== undefined) v.grace_s = spec.grace;
  if (spec.schedule !== undefined) {
    v.schedule = spec.schedule;
    v.kind = 'cron';
  }
  if (spec.tz !== undefined) v.tz = spec.tz;
  if (spec.manual_resume !== undefined) v.manual_resume = spec.manual_resume;
  if (spec.methods !== undefined) v.methods = spec.methods;
  if (spec.start_kw !== undefined) v.start_kw = spec.start_kw;
  if (spec.success_kw !== undefined) v.success_kw = spec.success_kw;
  if (spec.failure_kw !== undefined) v.failure_kw = spec.failure_kw;
  if (spec.filter_http_body !== undefined) v.filter_http_body = spec.filter_http_body;
  if (spec.filter_default_fail !== undefined) v.filter_default_fail = spec.filter_default_fail;
  if (spec.failure_threshold !== undefined) v.failure_threshold = spec.failure_threshold;
  if (spec.recovery_threshold !== undefined) v.recovery_threshold = spec.recovery_threshold;
  if (spec.component_id !== undefined) v.component_id = spec.component_id;
  if (spec.min_duration !== undefined) v.min_duration_s = spec.min_duration;
  if (spec.max_duration !== undefined) v.max_duration_s = spec.max_duration;
  return v;
}

/**
 * Creates a check in the caller's scope, or, when `unique` names fields and a
 * check with those values exists, updates that one instead (healthchecks'
 * upsert). `created` tells which.
 */
export async function createCheck(db: Kysely<Database>, scope: Scope, spec: CheckSpec, now: Date): Promise<{ row: CheckRow; created: boolean }> {
  if (spec.unique && spec.unique.length > 0) {
    const match = await findCheckMatching(db, scope, Object.fromEntries(spec.unique.map((f) => [f, spec[f] ?? DEFAULTS[f]])));
    if (match) return { row: (await updateCheck(db, scope, match.id, spec, now))!, created: false };
  }
  const tenantId = scope.admin ? null : scope.tenantId;
  const pingKey = await ensurePingKey(db, tenantId, now);
  const id = await insertCheck(db, { tenantId, pingKey }, now);
  await updateCheckRow(db, id, columnsFor(spec));
  return { row: (await findCheck(db, scope, id))!, created: true };
}

/** A spec whose one bound does not fit the other bound the check already has (min_duration ≥ max_duration). */
export class DurationBoundsError extends Error {
  override name = 'DurationBoundsError';
  constructor() {
    super('json validation error: min_duration must be less than max_duration');
  }
}

/**
 * Applies a spec to a check and recomputes its deadline; undefined when not in
 * scope. Throws DurationBoundsError when the run bounds would cross (checked
 * under the row lock, so two updates setting one bound each cannot cross them).
 */
export async function updateCheck(db: Kysely<Database>, scope: Scope, id: string, spec: CheckSpec, now: Date): Promise<CheckRow | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await lockCheck(trx, scope, id);
    if (!row) return undefined;
    const merged = { ...row, ...columnsFor(spec) } as CheckRow;
    if (merged.min_duration_s !== null && merged.max_duration_s !== null && merged.min_duration_s >= merged.max_duration_s) throw new DurationBoundsError();
    const deadline = deadlineOf(rowToState(merged));
    await updateCheckRow(trx, id, { ...columnsFor(spec), alert_after: deadline, updated_at: now });
    return { ...merged, alert_after: deadline, updated_at: now };
  });
}

export async function deleteCheck(db: Kysely<Database>, scope: Scope, id: string): Promise<CheckRow | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await lockCheck(trx, scope, id);
    if (row) await deleteCheckRow(trx, id);
    return row;
  });
}

/**
 * Pause or resume, with its (silent) flip, in one guarded write; recomputed if
 * a ping or the evaluator changed the check in between. A pause with `until`
 * ends by itself then (the deadline evaluator resumes the check); pausing a
 * paused check sets its end anew (`until` null: until resumed by hand).
 */
export async function setPaused(
  db: Kysely<Database>,
  scope: Scope,
  id: string,
  paused: boolean,
  now: Date,
  until: Date | null = null,
): Promise<CheckRow | undefined | 'not_paused'> {
  if (!(await findCheck(db, scope, id))) return undefined;
  for (let attempt = 0; attempt < 10; attempt++) {
    const [row] = await readChecks(db, [id]);
    if (!row) return undefined;
    const before = rowToState(row);
    const result = paused ? pause(before, now, until) : resume(before, now);
    if (result === 'not_paused') return 'not_paused';
    if (result.state === before) return row; // already paused just so
    const flips = result.flip ? [{ checkId: id, tenantId: row.tenant_id, flip: result.flip }] : [];
    const written = await commitPingBatch(db, { checks: [{ id, rowVersion: row.row_version, state: result.state }], pings: [], flips }, now);
    if (written.has(id)) return findCheck(db, scope, id);
  }
  throw new Error(`check ${id} kept changing while being ${paused ? 'paused' : 'resumed'}`);
}
