import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { readJsonObject } from '../http/json-body.js';
import type { ListCursor } from './paging-store.js';
import { findTenant, type TenantRow } from './tenant-store.js';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const jsonBody = (c: Context) => readJsonObject(c);

/** The tenant whose data a tenant key may touch; admin keys must use the tenants endpoints. */
export function tenantOfKey(db: Kysely<Database>) {
  return async (c: Context<AppEnv>): Promise<TenantRow> => {
    const p = c.get('principal');
    if (p.kind !== 'tenant' || !p.tenantId) throw new AppError('forbidden', 'billing endpoints need a tenant API key');
    const tenant = await findTenant(db, p.tenantId);
    if (!tenant) throw new AppError('unauthorized', 'the tenant of this key no longer exists');
    return tenant;
  };
}

/** A path id that must be a UUID; anything else is simply not found. */
export function pathId(c: Context, what: string): string {
  const id = c.req.param('id') ?? '';
  if (!UUID.test(id)) throw new AppError('not_found', `no ${what} ${id}`);
  return id;
}

export function pageLimit(c: Context): number {
  const raw = c.req.query('limit');
  if (raw === undefined) return 50;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new AppError('bad_request', 'limit must be a whole number from 1 to 500');
  return n;
}

export const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A body may name its currency; it must then be the tenant's (amounts are in the tenant's minor units). */
export function assertTenantCurrency(b: Record<string, unknown>, tenant: { currency: string }): void {
  if (b.currency !== undefined && b.currency !== tenant.currency) {
    throw new AppError('validation_failed', `currency must be the tenant's currency, ${tenant.currency}`);
  }
}

/** A newest-first list's next_cursor: the last row's creation time and id, opaque to clients. */
export const encodeCursor = (at: Date, id: string) => Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');

export function decodeCursor(raw: string | undefined): ListCursor | undefined {
  if (raw === undefined) return undefined;
  const [at, id] = Buffer.from(raw, 'base64url').toString().split('|');
  const time = new Date(at ?? '');
  if (Number.isNaN(time.getTime()) || !UUID.test(id ?? '')) throw new AppError('bad_request', 'cursor must be a next_cursor value');
  return { at: time, id: id! };
}

/** `next_cursor` of a page of rows ordered by (created_at, id) descending: null on the last page. */
export function nextCursor(rows: { created_at: Date; id: string }[], limit: number): string | null {
  const last = rows[rows.length - 1];
  return last && rows.length === limit ? encodeCursor(last.created_at, last.id) : null;
}
