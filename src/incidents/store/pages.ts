import { randomUUID } from 'node:crypto';
import { sql, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { PageTable } from '../table.js';

type Db = Kysely<Database> | Transaction<Database>;
export type PageRow = Selectable<PageTable>;

export const DEFAULT_PAGE = 'default';

/** The default page (slug `default`, served at `/`), created once. */
export async function ensureDefaultPage(db: Db, now: Date): Promise<PageRow> {
  await db
    .insertInto('pages')
    .values({ id: randomUUID(), slug: DEFAULT_PAGE, name: 'Overdue', time_zone: 'UTC', tenant_id: null, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('slug').doNothing())
    .execute();
  return (await findPageBySlug(db, DEFAULT_PAGE))!;
}

export async function findPageBySlug(db: Db, slug: string): Promise<PageRow | undefined> {
  return db.selectFrom('pages').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export async function findPage(db: Db, id: string): Promise<PageRow | undefined> {
  return db.selectFrom('pages').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every page, by slug (there are few: one per tenant at most, plus the default). */
export async function listPages(db: Db): Promise<PageRow[]> {
  return db.selectFrom('pages').selectAll().orderBy('slug').execute();
}

/** Inserts a page unless its slug is taken (then undefined: the slug is unique). */
export async function tryInsertPage(db: Db, page: Insertable<PageTable>): Promise<PageRow | undefined> {
  return db.insertInto('pages').values(page).onConflict((oc) => oc.column('slug').doNothing()).returningAll().executeTakeFirst();
}

export async function updatePage(trx: Db, id: string, set: { name?: string; time_zone?: string; logo_url?: string | null; accent_color?: string | null }): Promise<void> {
  if (Object.keys(set).length === 0) return;
  await trx.updateTable('pages').set(set).where('id', '=', id).execute();
}

/** Marks what a page shows as changed: caches on every instance compare this version. */
export async function touchPages(trx: Db, pageIds: string[], now: Date): Promise<void> {
  if (pageIds.length === 0) return;
  await trx.updateTable('pages').set({ version: sql`version + 1`, updated_at: now }).where('id', 'in', [...new Set(pageIds)]).execute();
}

export async function pageVersions(db: Db): Promise<Map<string, bigint>> {
  const rows = await db.selectFrom('pages').select(['slug', 'version']).execute();
  return new Map(rows.map((r) => [r.slug, BigInt(r.version)]));
}
