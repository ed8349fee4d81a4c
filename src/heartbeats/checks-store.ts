import { randomBytes, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { PLATFORM_TAG } from './manage-store.js';

/** A fresh ping key: 22 characters of [a-z0-9], like healthchecks' project ping keys. */
export function generatePingKey(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(22);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/** The ping key of a tenant (null = platform), created on first use. */
export async function ensurePingKey(db: Kysely<Database>, tenantId: string | null, now: Date): Promise<string> {
  await sql`
    insert into ping_keys (ping_key, tenant_id, created_at) values (${generatePingKey()}, ${tenantId}, ${now})
    on conflict ((coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid))) do nothing`.execute(db);
  const row = await db
    .selectFrom('ping_keys')
    .select('ping_key')
    .where(tenantId === null ? sql<boolean>`tenant_id is null` : sql<boolean>`tenant_id = ${tenantId}`)
    .executeTakeFirstOrThrow();
  return row.ping_key;
}

export async function findPingKey(db: Kysely<Database>, pingKey: string) {
  return db.selectFrom('ping_keys').select(['ping_key', 'tenant_id']).where('ping_key', '=', pingKey).executeTakeFirst();
}

export async function findCheckIdsBySlug(db: Kysely<Database>, pingKey: string, slug: string): Promise<string[]> {
  const rows = await db.selectFrom('checks').select('id').where('ping_key', '=', pingKey).where('slug', '=', slug).limit(2).execute();
  return rows.map((r) => r.id);
}

export async function checkExists(db: Kysely<Database>, id: string): Promise<boolean> {
  return (await db.selectFrom('checks').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

export async function countChecksForPingKey(db: Kysely<Database>, pingKey: string): Promise<number> {
  const row = await db.selectFrom('checks').select((eb) => eb.fn.countAll<bigint>().as('n')).where('ping_key', '=', pingKey).executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface NewCheck {
  tenantId: string | null;
  pingKey: string;
  name?: string;
  slug?: string;
  kind?: 'simple' | 'cron';
  timeoutS?: number;
  graceS?: number;
  schedule?: string;
  tz?: string;
  /** Space-separated, as healthchecks keeps them. */
  tags?: string;
}

export async function insertCheck(db: Kysely<Database>, check: NewCheck, now: Date): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('checks')
    .values({
      id,
      tenant_id: check.tenantId,
      ping_key: check.pingKey,
      name: check.name ?? '',
      slug: check.slug ?? '',
      kind: check.kind ?? 'simple',
      timeout_s: check.timeoutS ?? 86_400,
      grace_s: check.graceS ?? 3_600,
      schedule: check.schedule ?? '* * * * *',
      tz: check.tz ?? 'UTC',
      ...(check.tags !== undefined && { tags: check.tags }),
      component_id: null,
      last_ping: null,
      last_start: null,
      last_start_rid: null,
      last_duration_ms: null,
      reference_at: null,
      alert_after: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

/**
 * Who owns a check, for features that let a check be named elsewhere (a status
 * page component listing `check:<id>`): its tenant (null: the platform's), or
 * undefined when there is no such check. A malformed id is simply unknown.
 */
export async function checkOwner(db: Kysely<Database>, id: string): Promise<{ tenantId: string | null } | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
  const row = await db.selectFrom('checks').select('tenant_id').where('id', '=', id).executeTakeFirst();
  return row && { tenantId: row.tenant_id };
}

/**
 * An owner's checks as monitored sources (`source` = `check:<id>`, `label` =
 * its name), unexecuted: a subquery that another feature's statement ranks or
 * counts in SQL (alerting's channel usage), so no caller holds every check in
 * memory. A tenant's checks tagged as the platform's are left out, as the v3
 * list leaves them out; the platform's (null) are all of them.
 */
export function checkSourcesOf(db: Kysely<Database>, tenantId: string | null) {
  const q = db.selectFrom('checks').select([sql<string>`'check:' || id::text`.as('source'), 'name as label']);
  if (tenantId === null) return q.where('tenant_id', 'is', null);
  return q.where('tenant_id', '=', tenantId).where(sql<boolean>`not (${PLATFORM_TAG} = any(string_to_array(tags, ' ')))`);
}
