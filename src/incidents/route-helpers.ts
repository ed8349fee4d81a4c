import type { Context } from 'hono';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { readJsonObject } from '../http/json-body.js';
import type { requireApiKey } from '../http/middleware/api-key.js';
import type { idempotency } from '../http/middleware/idempotency.js';
import { bad } from './input.js';
import type { IncidentService } from './incident-service.js';
import type { PageService } from './page-service.js';
import type { Actor } from './source-rules.js';
import { DEFAULT_PAGE, type PageRow } from './store/pages.js';

type Principal = AppEnv['Variables']['principal'];

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What every manual API route module gets: the key check, idempotent POSTs, and the services. */
export interface RouteContext {
  auth: ReturnType<typeof requireApiKey>;
  idem: ReturnType<typeof idempotency>;
  pages: PageService;
  incidents: IncidentService;
}

export const body = (c: Context) => readJsonObject(c);

/** The admin key sees every page; a tenant key only its tenant's pages. */
export function canUse(p: Principal, page: PageRow): boolean {
  return p.kind === 'admin' || (p.tenantId !== null && page.tenant_id === p.tenantId);
}

/** The page a body or query names by slug (the default page when absent), if the caller may use it; else 404. */
export async function pageOf(c: Context<AppEnv>, pages: PageService, slug: unknown): Promise<PageRow> {
  const s = slug === undefined ? DEFAULT_PAGE : typeof slug === 'string' ? slug : '';
  const page = await pages.pageBySlug(s);
  if (!page || !canUse(c.get('principal'), page)) throw new AppError('not_found', `no page ${s}`);
  return page;
}

/** Who is writing, as source rules judge it. */
export function actorOf(c: Context<AppEnv>): Actor {
  const p = c.get('principal');
  return { admin: p.kind === 'admin', tenantId: p.tenantId };
}

/** Ids of the pages the caller may use. */
export async function visiblePageIds(c: Context<AppEnv>, pages: PageService): Promise<string[]> {
  return (await pages.pages()).filter((p) => canUse(c.get('principal'), p)).map((p) => p.id);
}

/** The manual API's page (its own shape: Statuspage has no page object with a slug). */
export function pageJson(p: PageRow) {
  return { id: p.id, slug: p.slug, name: p.name, time_zone: p.time_zone, tenant_id: p.tenant_id, logo_url: p.logo_url, accent_color: p.accent_color, updated_at: p.updated_at.toISOString() };
}
