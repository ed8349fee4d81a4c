import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../db/database.js';
import type { NoticeTable } from './table.js';

export type NoticeRow = Selectable<NoticeTable>;

/** The tenant's notices, newest first, after the (created_at, id) cursor. */
export async function listNotices(
  db: Kysely<Database>,
  tenantId: string,
  filter: { invoiceId?: string; accountId?: string },
  limit: number,
  cursor?: { at: Date; id: string },
): Promise<NoticeRow[]> {
  let q = db.selectFrom('notices').selectAll().where('tenant_id', '=', tenantId);
  if (filter.invoiceId) q = q.where('invoice_id', '=', filter.invoiceId);
  if (filter.accountId) q = q.where('account_id', '=', filter.accountId);
  if (cursor) q = q.where(sql<boolean>`(created_at, id) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`);
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}
