import { AppError } from '../errors.js';

/** Who owns a monitored source, as the composition root's lookup answers it. */
export interface SourceOwner {
  exists: boolean;
  /** The owning tenant; null: the platform's. */
  tenantId: string | null;
  /** An expectation evaluated for every tenant (`forEachTenant`): each tenant may list it for its own part. */
  everyTenant?: boolean;
}

/** Handed in at composition (heartbeats and expectations answer it); incidents knows neither. */
export type SourceOwnerLookup = (source: string) => Promise<SourceOwner>;

/** Who is changing a component: the admin key, or a tenant's key. */
export interface Actor {
  admin: boolean;
  tenantId: string | null;
}

const bad = (message: string) => new AppError('validation_failed', message);

/**
 * Why `actor` may not list a source with this owner on a page of
 * `pageTenantId`, or null when it may: the platform's own checks and
 * expectations need the admin key; another tenant's check, or one not of the
 * page's tenant, is "unknown" (not even its existence is told). A tenant key
 * may list its own checks and the expectations evaluated for every tenant.
 * The console's source picker offers exactly the sources this allows.
 */
export function sourceRefusal(source: string, owner: SourceOwner, ctx: { actor: Actor; pageTenantId: string | null }): string | null {
  if (!owner.exists) return `unknown source ${source}`;
  if (owner.everyTenant) return null;
  if (owner.tenantId === null) return ctx.actor.admin ? null : `source ${source} is the platform's: only the admin key may list it`;
  const mine = ctx.actor.admin || owner.tenantId === ctx.actor.tenantId;
  const pageFits = ctx.pageTenantId === null || ctx.pageTenantId === owner.tenantId;
  return mine && pageFits ? null : `unknown source ${source}`;
}

/**
 * Refuses (400, nothing written) sources a component may not list: any on a
 * group (a group shows its members' worst status and holds none of its own),
 * and each one `sourceRefusal` refuses.
 */
export async function checkSources(sources: string[], ctx: { actor: Actor; pageTenantId: string | null; isGroup: boolean }, lookup: SourceOwnerLookup): Promise<void> {
  if (sources.length === 0) return;
  if (ctx.isGroup) throw bad('a group component takes no sources: list them on the components inside it');
  for (const source of sources) {
    const refused = sourceRefusal(source, await lookup(source), ctx);
    if (refused) throw bad(refused);
  }
}

/**
 * Whether a signal concerns a page of `pageTenantId`: platform pages hear
 * every signal of their components; a tenant's page hears signals of its
 * own, or of the platform, or those naming it among the failing tenants (an
 * expectation evaluated for every tenant names the tenants that fail).
 */
export function signalConcernsPage(signal: { tenant_id: string | null; evidence: unknown }, pageTenantId: string | null): boolean {
  if (pageTenantId === null || signal.tenant_id === pageTenantId) return true;
  const tenants = (signal.evidence as { tenants?: { id?: string }[] } | null)?.tenants;
  const named = Array.isArray(tenants) ? tenants.map((t) => t?.id).filter((t): t is string => typeof t === 'string') : [];
  if (signal.tenant_id === null && named.length === 0) return true; // the platform's own trouble
  return named.includes(pageTenantId);
}
