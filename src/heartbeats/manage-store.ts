import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction, type Updateable } from 'kysely';
import type { Database } from '../db/database.js';
import type { CheckRow } from './store.js';
import type { CheckTable } from './table.js';

/** Whose checks a request may touch: the admin sees all, a tenant key only its tenant's. */
export interface Scope {
  tenantId: string | null;
  admin: boolean;
}

type Db = Kysely<Database> | Transaction<Database>;

function scoped(db: Db, scope: Scope) {
  const q = db.selectFrom('checks').selectAll();
  return scope.admin ? q : q.where('tenant_id', '=', scope.tenantId);
}

/**
 * The tag of the checks Overdue makes for its own jobs and loops: the v3 list
 * leaves them out unless it is asked for them with `?tag=overdue-platform` (or by slug).
 */
export const PLATFORM_TAG = 'overdue-platform';

export async function listChecks(db: Db, scope: Scope, filter: { tags: string[]; slug?: string | undefined }): Promise<CheckRow[]> {
  let q = scoped(db, scope).orderBy('created_at').orderBy('id');
  if (filter.slug !== undefined) q = q.where('slug', '=', filter.slug);
  for (const tag of filter.tags) q = q.where(sql<boolean>`${tag} = any(string_to_array(tags, ' '))`);
  // Asked for by slug, a platform check is shown like any other.
  if (!filter.tags.includes(PLATFORM_TAG) && filter.slug === undefined) q = q.where(sql<boolean>`not (${PLATFORM_TAG} = any(string_to_array(tags, ' ')))`);
  return q.execute();
}

/** The oldest check in scope whose listed fields equal the given values (healthchecks' `unique`). */
export async function findCheckMatching(
  db: Db,
  scope: Scope,
  match: Partial<{ name: string; slug: string; tags: string; timeout: number; grace: number }>,
): Promise<CheckRow | undefined> {
  let q = scoped(db, scope);
  if (match.name !== undefined) q = q.where('name', '=', match.name);
  if (match.slug !== undefined) q = q.where('slug', '=', match.slug);
  if (match.tags !== undefined) q = q.where('tags', '=', match.tags);
  if (match.timeout !== undefined) q = q.where('timeout_s', '=', match.timeout);
  if (match.grace !== undefined) q = q.where('grace_s', '=', match.grace);
  return q.orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
}

/** By UUID, or by unique_key (hex SHA-1 of the first 16 hex digits of the UUID, as healthchecks' read-only keys see it). */
export async function findCheck(db: Db, scope: Scope, idOrUniqueKey: string): Promise<CheckRow | undefined> {
  if (/^[0-9a-f]{40}$/.test(idOrUniqueKey)) {
    // Postgres 15 has no sha1() without pgcrypto; read-only lookups are rare, so scan the scope's ids.
    const ids = await (scope.admin ? db.selectFrom('checks').select('id') : db.selectFrom('checks').select('id').where('tenant_id', '=', scope.tenantId)).execute();
    const match = ids.find((r) => uniqueKey(r.id) === idOrUniqueKey);
    return match ? scoped(db, scope).where('id', '=', match.id).executeTakeFirst() : undefined;
  }
  // Anything else is no check (and must not reach the uuid cast, which would fail the query).
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrUniqueKey)) return undefined;
  return scoped(db, scope).where('id', '=', idOrUniqueKey).executeTakeFirst();
}

/** healthchecks' read-only identifier: hex SHA-1 of the first 16 hex digits of the UUID. */
export function uniqueKey(id: string): string {
  return createHash('sha1').update(id.replace(/-/g, '').slice(0, 16)).digest('hex');
}

export async function lockCheck(trx: Transaction<Database>, scope: Scope, id: string): Promise<CheckRow | undefined> {
  return scoped(trx, scope).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateCheckRow(db: Db, id: string, values: Updateable<CheckTable>): Promise<void> {
  if (Object.keys(values).length === 0) return; // a create with an empty body: nothing to set (an empty SET is a syntax error)
  await db.updateTable('checks').set(values).where('id', '=', id).execute();
}

export async function deleteCheckRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('checks').where('id', '=', id).execute();
}

/** Newest first. */
export async function listPings(db: Db, checkId: string, limit: number) {
  return db
    .selectFrom('pings')
    .select([
      'n',
      'created',
      'kind',
      'scheme',
      'remote_addr',
      'method',
      'ua',
      'exitstatus',
      'rid',
      'scheduled_for',
      'duration_ms',
      sql<boolean>`body is not null`.as('has_body'),
      // The console shows the start of each body in the log.
      sql<Uint8Array | null>`substring(body from 1 for 160)`.as('body_head'),
    ])
    .where('check_id', '=', checkId)
    .orderBy('n', 'desc')
    .limit(limit)
    .execute();
}

export async function pingBody(db: Db, checkId: string, n: number): Promise<Uint8Array | null | undefined> {
  const row = await db.selectFrom('pings').select('body').where('check_id', '=', checkId).where('n', '=', BigInt(n)).executeTakeFirst();
  return row ? row.body : undefined;
}

export async function listFlips(db: Db, checkId: string, range: { from?: Date | undefined; to?: Date | undefined }) {
  let q = db.selectFrom('flips').select(['created', 'old_status', 'new_status']).where('check_id', '=', checkId);
  if (range.from) q = q.where('created', '>=', range.from);
  if (range.to) q = q.where('created', '<', range.to);
  return q.orderBy('created', 'desc').orderBy('id', 'desc').limit(1000).execute();
}

/** The console's order: failing first (down, then late), then new, up, paused. */
export type CheckState = 'down' | 'late' | 'new' | 'up' | 'paused';
const RANK: Record<CheckState, number> = { down: 0, late: 1, new: 2, up: 3, paused: 4 };

/** A check's state at `now`, in SQL (late: its grace has begun). */
const rankAt = (now: Date) => sql<number>`case
  when status = 'down' then 0
  when status = 'paused' then 4
  when status = 'new' then 2
  when alert_after is not null and alert_after - make_interval(secs => grace_s) <= ${now}::timestamptz then 1
  else 3 end`;

/**
 * One page of checks, failing first, then by name: filtered by state, tag
 * and a name search, after the `after` cursor (keyset: rank, name, id).
 */
export async function listChecksPage(
  db: Db,
  scope: Scope,
  now: Date,
  f: { state?: CheckState; tag?: string; q?: string; after?: { rank: number; name: string; id: string }; limit: number },
): Promise<(CheckRow & { rank: number })[]> {
  const rank = rankAt(now);
  let q = db
    .selectFrom(scoped(db, scope).select(rank.as('rank')).as('c'))
    .selectAll();
  if (f.state) q = q.where('rank', '=', RANK[f.state]);
  if (f.tag) q = q.where(sql<boolean>`${f.tag} = any(string_to_array(tags, ' '))`);
  if (f.q) q = q.where(sql<boolean>`name ilike ${`%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`}`);
  if (f.after) q = q.where(sql<boolean>`(rank, name, id) > (${f.after.rank}, ${f.after.name}, ${f.after.id}::uuid)`);
  return (await q.orderBy('rank').orderBy('name').orderBy('id').limit(f.limit).execute()) as (CheckRow & { rank: number })[];
}

/** How many checks in scope are in each state at `now`. */
export async function countChecksByState(db: Db, scope: Scope, now: Date): Promise<Record<CheckState, number>> {
  const rows = await db
    .selectFrom(scoped(db, scope).select(rankAt(now).as('rank')).as('c'))
    .select(['rank', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('rank')
    .execute();
  const out: Record<CheckState, number> = { down: 0, late: 0, new: 0, up: 0, paused: 0 };
  const byRank = Object.fromEntries(Object.entries(RANK).map(([k, v]) => [v, k as CheckState]));
  for (const r of rows) out[byRank[Number(r.rank)]!] = Number(r.n);
  return out;
}

export const CHECK_STATE_RANK = RANK;

/** The closed runs of a check since `since` (oldest first), at most `limit`: each finish that closed a run, with its duration. */
export async function listDurations(db: Db, checkId: string, since: Date | undefined, limit: number) {
  let q = db
    .selectFrom('pings')
    .select(['created', 'kind', 'duration_ms'])
    .where('check_id', '=', checkId)
    .where('duration_ms', 'is not', null);
  if (since) q = q.where('created', '>=', since);
  // Newest `limit` by n (the primary key's order), returned oldest first.
  const rows = await q.orderBy('n', 'desc').limit(limit).execute();
  return rows.reverse().map((r) => ({ at: r.created, kind: r.kind, durationMs: Number(r.duration_ms) }));
}
