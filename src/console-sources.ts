import type { Kysely } from 'kysely';
import type { AlertChannels } from './alerts/index.js';
import type { ChannelUsers, SourceChoices } from './console/index.js';
import type { Database } from './db/database.js';
import { listExpectations } from './expectations/index.js';
import { checkSourcesOf, PLATFORM_TAG, type CheckManagement } from './heartbeats/index.js';

/**
 * The sources the console's status page forms offer, by name: the checks in
 * the viewer's scope (for the admin key also the platform's own job checks)
 * and the expectations that are not archived. Each carries its owner as the
 * source rules judge it, so the console offers only what a save would accept.
 * Composition glue: the console knows no check or expectation table.
 */
export function consoleSourceChoices(db: Kysely<Database>, checks: CheckManagement): SourceChoices {
  return async (scope) => {
    const [own, platform, expectations] = await Promise.all([
      checks.list(scope, { tags: [] }),
      scope.admin ? checks.list(scope, { tags: [PLATFORM_TAG] }) : Promise.resolve([]),
      listExpectations(db),
    ]);
    return [
      ...[...own, ...platform].map((c) => ({
        source: `check:${c.id}`,
        kind: 'check' as const,
        label: c.name || `(unnamed check ${c.id.slice(0, 8)})`,
        href: `/console/checks/${c.id}`,
        owner: { exists: true, tenantId: c.tenant_id },
      })),
      ...expectations
        .filter((e) => e.archived_at === null)
        .map((e) => ({
          source: `expectation:${e.id}`,
          kind: 'expectation' as const,
          label: e.title,
          href: `/console/expectations/${encodeURIComponent(e.id)}`,
          owner: { exists: true, tenantId: null, everyTenant: e.scope === 'forEachTenant' },
        })),
    ];
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
