import type { Kysely } from 'kysely';
import type { AlertChannels } from './alerts/index.js';
import type { ChannelUsers, SourceChoice, SourceChoices } from './console/index.js';
import type { Database } from './db/database.js';
import { listExpectations } from './expectations/index.js';
import { checkSourcesOf, type CheckManagement, type CheckRow } from './heartbeats/index.js';

const checkChoice = (c: CheckRow): SourceChoice => ({
  source: `check:${c.id}`,
  kind: 'check',
  label: c.name || `(unnamed check ${c.id.slice(0, 8)})`,
  href: `/console/checks/${c.id}`,
  owner: { exists: true, tenantId: c.tenant_id },
});

/**
 * The sources the console's status page forms offer, by name: the checks in
 * the viewer's scope (for the admin key also the platform's own job checks),
 * a bounded page of them by name, and the expectations that are not archived.
 * Each carries its owner as the source rules judge it, so the console offers
 * only what a save would accept. Composition glue: the console knows no check
 * or expectation table.
 */
export function consoleSourceChoices(db: Kysely<Database>, checks: CheckManagement): SourceChoices {
  const expectationChoices = async (ids?: Set<string>): Promise<SourceChoice[]> =>
    (await listExpectations(db))
      .filter((e) => e.archived_at === null && (!ids || ids.has(e.id)))
      .map((e) => ({
        source: `expectation:${e.id}`,
        kind: 'expectation' as const,
        label: e.title,
        href: `/console/expectations/${encodeURIComponent(e.id)}`,
        owner: { exists: true, tenantId: null, everyTenant: e.scope === 'forEachTenant' },
      }));
  return {
    async find(scope, filter) {
      // One more than shown tells whether the list was cut.
      const [rows, expectations] = await Promise.all([checks.choices(scope, { ...filter, limit: filter.limit + 1 }), expectationChoices()]);
      return { choices: [...rows.slice(0, filter.limit).map(checkChoice), ...expectations], more: rows.length > filter.limit };
    },
    async named(scope, sources) {
      const ids = (prefix: string) => sources.filter((s) => s.startsWith(prefix)).map((s) => s.slice(prefix.length));
      const checkIds = ids('check:');
      const expectationIds = ids('expectation:');
      const [rows, expectations] = await Promise.all([
        checkIds.length ? checks.byIds(scope, checkIds) : Promise.resolve([]),
        expectationIds.length ? expectationChoices(new Set(expectationIds)) : Promise.resolve([]),
      ]);
      return [...rows.map(checkChoice), ...expectations];
    },
  };
}

/**
 * Which of the owner's checks alert each of its channels (the admin key's
 * channels are the platform's, heard by the platform's checks): heartbeats
 * names the checks as a subquery, alerting ranks and counts them per channel
 * in one statement. Composition glue: neither feature knows the other's tables.
 */
export function consoleChannelUsers(db: Kysely<Database>, channels: AlertChannels): ChannelUsers {
  return async (owner, shown) => {
    const users = await channels.users(owner, checkSourcesOf(db, owner.tenantId), shown);
    return new Map(
      [...users].map(([channelId, u]) => [channelId, { total: u.total, first: u.first.map((s) => ({ id: s.source.slice('check:'.length), name: s.label })) }]),
    );
  };
}
