import type { Kysely } from 'kysely';
import { hashApiKey } from '../auth/keys.js';
import { findActiveKeyByHash, type Principal } from '../auth/store.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { createCheck, deleteCheck, setPaused, updateCheck } from './manage.js';
import { countChecksByState, findCheck, findChecksByIds, listCheckChoices, listChecks, listChecksPage, listDurations, listFlips, listPings, listTags, pingBody, type CheckState, type Scope } from './manage-store.js';
import type { CheckRow } from './store.js';
import type { CheckSpec } from './v3-validate.js';

export type PingRows = Awaited<ReturnType<typeof listPings>>;
export type FlipRows = Awaited<ReturnType<typeof listFlips>>;

/**
 * What the management API (healthchecks' v3) can do with checks, each
 * operation confined to the caller's scope: a check outside it is
 * `undefined`, exactly as one that does not exist.
 */
export interface CheckManagement {
  /** The key's principal, if it is an active key. */
  principalFor(key: string): Promise<Principal | undefined>;
  list(scope: Scope, filter: { tags: string[]; slug?: string | undefined }): Promise<CheckRow[]>;
  /** A page of checks, failing first (the console's list). */
  page(scope: Scope, filter: Omit<Parameters<typeof listChecksPage>[3], never>): Promise<(CheckRow & { rank: number })[]>;
  /**
   * The first checks by name the scope may offer as a status page
   * component's sources (`limit` clamped to 1…500), for a page of
   * `pageTenantId` (null: the platform's page), names containing `q` if given.
   */
  choices(scope: Scope, filter: { q?: string | undefined; pageTenantId: string | null; limit: number }): Promise<CheckRow[]>;
  /** These checks, as far as the scope sees them (unknown ids are left out). */
  byIds(scope: Scope, ids: string[]): Promise<CheckRow[]>;
  /** Up to `limit` (clamped to 1…500) distinct tags of the scope's checks, alphabetically. */
  tags(scope: Scope, limit: number): Promise<string[]>;
  /** Checks in scope per state now. */
  counts(scope: Scope): Promise<Record<CheckState, number>>;
  /** By id or by `unique_key`. */
  get(scope: Scope, idOrUniqueKey: string): Promise<CheckRow | undefined>;
  create(scope: Scope, spec: CheckSpec): Promise<{ row: CheckRow; created: boolean }>;
  update(scope: Scope, id: string, spec: CheckSpec): Promise<CheckRow | undefined>;
  remove(scope: Scope, id: string): Promise<CheckRow | undefined>;
  /** `until`: a pause that ends by itself then. */
  setPaused(scope: Scope, id: string, paused: boolean, until?: Date | null): Promise<CheckRow | undefined | 'not_paused'>;
  /** The newest pings (up to the retention limit, at most 1,000), newest first. */
  pings(scope: Scope, id: string): Promise<PingRows | undefined>;
  /**
   * One page of the ping log, newest first: up to `limit` (clamped to 1…200)
   * pings numbered below `before` (none: the newest). `older` is the `before`
   * of the next page, null when this one reaches the oldest ping kept.
   */
  pingPage(scope: Scope, id: string, page: { before?: bigint | undefined; limit: number }): Promise<{ pings: PingRows; older: bigint | null } | undefined>;
  /** `null`: the ping has no body. */
  pingBody(scope: Scope, id: string, n: number): Promise<Uint8Array | null | undefined>;
  /** Flips of a check the caller got from `get` (which applied the scope). */
  flips(check: CheckRow, range: { from?: Date; to?: Date }): Promise<FlipRows>;
  /** Closed runs of a check the caller got from `get`, oldest first. */
  durations(check: CheckRow, since: Date | undefined, limit: number): Promise<{ at: Date; kind: string | null; durationMs: number }[]>;
  /** Throws when the database does not answer. */
  ready(): Promise<void>;
}

/** A caller's page size kept within 1…max. */
const clamp = (n: number, max: number) => Math.max(1, Math.min(Math.trunc(n) || 1, max));

export function createCheckManagement(deps: { db: Kysely<Database>; clock: Clock; pingLogLimit: number }): CheckManagement {
  const { db, clock } = deps;
  return {
    principalFor: (key) => findActiveKeyByHash(db, hashApiKey(key)),
    list: (scope, filter) => listChecks(db, scope, filter),
    page: (scope, filter) => listChecksPage(db, scope, clock.now(), filter),
    choices: (scope, filter) => listCheckChoices(db, scope, { ...filter, limit: clamp(filter.limit, 500) }),
    byIds: (scope, ids) => findChecksByIds(db, scope, ids),
    tags: (scope, limit) => listTags(db, scope, clamp(limit, 500)),
    counts: (scope) => countChecksByState(db, scope, clock.now()),
    get: (scope, id) => findCheck(db, scope, id),
    create: (scope, spec) => createCheck(db, scope, spec, clock.now()),
    update: (scope, id, spec) => updateCheck(db, scope, id, spec, clock.now()),
    remove: (scope, id) => deleteCheck(db, scope, id),
    setPaused: (scope, id, paused, until) => setPaused(db, scope, id, paused, clock.now(), until ?? null),
    async pings(scope, id) {
      if (!(await findCheck(db, scope, id))) return undefined;
      return listPings(db, id, Math.min(deps.pingLogLimit, 1000));
    },
    async pingPage(scope, id, page) {
      if (!(await findCheck(db, scope, id))) return undefined;
      const limit = clamp(page.limit, 200);
      // One more than asked tells whether an older page exists without counting.
      const rows = await listPings(db, id, limit + 1, page.before);
      const pings = rows.slice(0, limit);
      return { pings, older: rows.length > limit ? pings[pings.length - 1]!.n : null };
    },
    async pingBody(scope, id, n) {
      if (!(await findCheck(db, scope, id))) return undefined;
      return pingBody(db, id, n);
    },
    flips: (check, range) => listFlips(db, check.id, range),
    durations: (check, since, limit) => listDurations(db, check.id, since, limit),
    async ready() {
      await db.selectFrom('checks').select('id').limit(1).execute();
    },
  };
}
