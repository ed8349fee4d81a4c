import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/db/database.js';
import { ensurePingKey, insertCheck } from '../../src/heartbeats/index.js';

/** Helpers shared by the incidents API, Statuspage JSON and cache tests. */

const TABLES = ['pages', 'components', 'component_sources', 'component_status_log', 'incidents', 'incident_updates', 'incident_components', 'notification_events'] as const;

/** Row counts of every incidents table plus what a write could change in place (statuses, page versions). */
export async function snapshot(db: Kysely<Database>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const table of TABLES) out[table] = (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db)).rows[0]!.n;
  out.componentStatuses = (await db.selectFrom('components').select(['id', 'name', 'status', 'group_id', 'updated_at']).orderBy('id').execute()).map((c) => JSON.stringify(c));
  out.incidentStates = (await db.selectFrom('incidents').select(['id', 'status', 'impact', 'updated_at', 'resolved_at']).orderBy('id').execute()).map((i) => JSON.stringify(i));
  out.pageVersions = (await db.selectFrom('pages').select(['slug', 'version', 'updated_at']).orderBy('slug').execute()).map((p) => `${p.slug}:${p.version}:${p.updated_at.toISOString()}`);
  return out;
}

export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A check of a tenant (null: the platform's) that never goes down by itself,
 * so a component may list it; returns its source name `check:<id>`.
 */
export async function checkSource(db: Kysely<Database>, tenantId: string | null, name: string, now: Date): Promise<string> {
  const id = await insertCheck(db, { tenantId, pingKey: await ensurePingKey(db, tenantId, now), name, slug: name.toLowerCase().replace(/[^a-z0-9]+/g, '-') }, now);
  return `check:${id}`;
}

/**
 * An expectation row as checks-as-code leave it after a sync, without a loaded
 * definition (so nothing evaluates it), so a component may list
 * `expectation:<id>`. Returns the source name.
 */
export async function expectationSource(db: Kysely<Database>, id: string, scope: 'platform' | 'forEachTenant', now: Date): Promise<string> {
  await db
    .insertInto('expectations')
    .values({
      id,
      title: id,
      component: null,
      kind: 'invariant',
      scope,
      severity: 'major',
      schedule: JSON.stringify({ everyS: 300 }),
      failure_threshold: 1,
      recovery_threshold: 1,
      remediation: null,
      source_file: `${id}.ts`,
      checksum: id,
      archived_at: null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return `expectation:${id}`;
}

/** Every UUID in a text (ids of public objects are fine; anything else there leaked). */
export const uuidsIn = (text: string): string[] => [...new Set(text.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi) ?? [])];
