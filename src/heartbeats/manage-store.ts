import { createHash } from 'node:crypto';
import { sql, type Kysely, type RawBuilder, type Transaction, type Updateable } from 'kysely';
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

/**
 * Newest first, at most `limit`; with `before`, only pings numbered below it
 * (keyset on the primary key (check_id, n): each page is one index range,
 * however deep).
 */
export async function listPings(db: Db, checkId: string, limit: number, before?: bigint) {
  let q = db
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
    .where('check_id', '=', checkId);
  if (before !== undefined) q = q.where('n', '<', before);
  return q.orderBy('n', 'desc').limit(limit).execute();
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

/** Late at `now`: an up check whose grace has begun. */
const lateAt = (now: Date) => sql<boolean>`(alert_after is not null and alert_after - make_interval(secs => grace_s) <= ${now}::timestamptz)`;

/** A check's state at `now`, in SQL. */
const rankAt = (now: Date) => sql<number>`case
  when status = 'down' then 0
  when status = 'paused' then 4
  when status = 'new' then 2
  when ${lateAt(now)} then 1
  else 3 end`;

/** The stored rows of each state at `now` (status is one of new, up, down, paused). */
const STATE_WHERE: Record<CheckState, (now: Date) => RawBuilder<boolean>> = {
  down: () => sql<boolean>`status = 'down'`,
  late: (now) => sql<boolean>`status = 'up' and ${lateAt(now)}`,
  new: () => sql<boolean>`status = 'new'`,
  up: (now) => sql<boolean>`status = 'up' and not ${lateAt(now)}`,
  paused: () => sql<boolean>`status = 'paused'`,
};

type PageFilter = { state?: CheckState; tag?: string; q?: string; after?: { rank: number; name: string; id: string }; limit: number };

/** The filters every page query shares: scope, tag, name search. */
function filtered(db: Db, scope: Scope, f: PageFilter) {
  let q = db.selectFrom('checks');
  if (!scope.admin) q = q.where('tenant_id', '=', scope.tenantId);
  if (f.tag) q = q.where(sql<boolean>`${f.tag} = any(string_to_array(tags, ' '))`);
  if (f.q) q = q.where(nameContains(f.q));
  return q;
}

/** `name` contains `text`, case-insensitively, `%` and `_` taken literally. */
const nameContains = (text: string) => sql<boolean>`name ilike ${`%${text.replace(/[\\%_]/g, (m) => `\\${m}`)}%`}`;

/**
 * One page of checks, failing first, then by name: filtered by state, tag
 * and a name search, after the `after` cursor (keyset: rank, name, id).
 *
 * A tenant's page is one index range per state (checks_console_list_idx:
 * tenant, status, name, id), each read up to `limit` rows, merged: read
 * index-only, and short for every state but late. Late and up are both stored
 * `up` and told apart by the deadline columns the index carries; late checks
 * are few, so the late branch reads `up` entries until it has a page of them
 * (all of them when fewer are late, or with a rare tag or name). The admin's
 * list spans every tenant,
 * which that index cannot order, so it ranks all checks in one scan instead,
 * reading the full rows of the page only.
 */
export async function listChecksPage(db: Db, scope: Scope, now: Date, f: PageFilter): Promise<(CheckRow & { rank: number })[]> {
  let ids: RawBuilder<unknown>;
  if (scope.admin) {
    let q = filtered(db, scope, f).select(['id', 'name', rankAt(now).as('rank')]);
    if (f.state) q = q.where(STATE_WHERE[f.state](now));
    if (f.after) q = q.where(sql<boolean>`(${rankAt(now)}, name, id) > (${f.after.rank}, ${f.after.name}, ${f.after.id}::uuid)`);
    ids = sql`${q.orderBy(sql`3`).orderBy('name').orderBy('id').limit(f.limit)}`;
  } else {
    const states = (f.state ? [f.state] : (Object.keys(RANK) as CheckState[])).filter((st) => !f.after || RANK[st] >= f.after.rank);
    if (states.length === 0) return [];
    const branches = states.map((st) => {
      let q = filtered(db, scope, f).select(['id', 'name', sql<number>`${sql.lit(RANK[st])}`.as('rank')]).where(STATE_WHERE[st](now));
      if (f.after && f.after.rank === RANK[st]) q = q.where(sql<boolean>`(name, id) > (${f.after.name}, ${f.after.id}::uuid)`);
      return sql`${q.orderBy('name').orderBy('id').limit(f.limit)}`;
    });
    ids = sql`select * from (${sql.join(branches, sql` union all `)}) b order by rank, name, id limit ${f.limit}`;
  }
  const rows = await sql<CheckRow & { rank: number }>`
    select c.*, p.rank from (${ids}) p join checks c on c.id = p.id
    order by p.rank, p.name, p.id`.execute(db);
  return rows.rows;
}

/** How many checks in scope are in each state at `now`: per stored status, up split by lateness (an index-only scan for a tenant). */
export async function countChecksByState(db: Db, scope: Scope, now: Date): Promise<Record<CheckState, number>> {
  let q = db
    .selectFrom('checks')
    .select(['status', (eb) => eb.fn.countAll<string>().as('n'), sql<string>`count(*) filter (where ${lateAt(now)})`.as('late')])
    .groupBy('status');
  if (!scope.admin) q = q.where('tenant_id', '=', scope.tenantId);
  const out: Record<CheckState, number> = { down: 0, late: 0, new: 0, up: 0, paused: 0 };
  for (const r of await q.execute()) {
    if (r.status === 'up') {
      out.late = Number(r.late);
      out.up = Number(r.n) - out.late;
    } else out[r.status] = Number(r.n);
  }
  return out;
}

export const CHECK_STATE_RANK = RANK;

/**
 * The first `limit` checks by name that a scope may offer as sources (a status
 * page component's picker): the scope's checks as the v3 list shows them to a
 * tenant, every check to the admin; for a tenant's page only that tenant's
 * and the platform's; names containing `q` when given. Ordered by name, id.
 */
export async function listCheckChoices(db: Db, scope: Scope, f: { q?: string | undefined; pageTenantId: string | null; limit: number }): Promise<CheckRow[]> {
  let q = scoped(db, scope);
  if (!scope.admin) q = q.where(sql<boolean>`not (${PLATFORM_TAG} = any(string_to_array(tags, ' ')))`);
  // A tenant's page lists that tenant's checks and the platform's, never another tenant's.
  const tenant = f.pageTenantId;
  if (tenant) q = q.where((eb) => eb.or([eb('tenant_id', '=', tenant), eb('tenant_id', 'is', null)]));
  if (f.q) q = q.where(nameContains(f.q));
  return q.orderBy('name').orderBy('id').limit(f.limit).execute();
}

/**
 * Up to `limit` distinct tags of the checks in scope, alphabetically: the
 * console's tag filter offers them. Split and deduplicated in the database,
 * so only the tags leave it, however many checks carry them.
 */
export async function listTags(db: Db, scope: Scope, limit: number): Promise<string[]> {
  const { rows } = await sql<{ tag: string }>`
    select distinct t.tag from checks c cross join lateral unnest(string_to_array(c.tags, ' ')) as t(tag)
    where t.tag <> '' ${scope.admin ? sql`` : sql`and c.tenant_id = ${scope.tenantId}::uuid`}
    order by t.tag limit ${limit}`.execute(db);
  return rows.map((r) => r.tag);
}

/** Checks in scope by id (ids that are no UUID, or not in scope, are left out). */
export async function findChecksByIds(db: Db, scope: Scope, ids: string[]): Promise<CheckRow[]> {
  const valid = ids.filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id));
  if (valid.length === 0) return [];
  return scoped(db, scope).where('id', 'in', valid).execute();
}

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
