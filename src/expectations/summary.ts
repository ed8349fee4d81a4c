import type { Evaluation } from './kinds.js';

function localSlot(at: Date, tz: string | null): string {
  const f = new Intl.DateTimeFormat('sv-SE', { timeZone: tz ?? 'UTC', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return f.format(at);
}

function listAnd(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * One line a person can act on, e.g. "412 invoices missing for 3 tenants:
 * acme — slots 2025-05-17 02:00 and 2025-05-18 02:00 America/Chicago; …".
 */
export function summarize(title: string, kind: string, unit: string | undefined, e: Evaluation, tenantSlugs: Map<string, string>): string {
  if (e.outcome === 'pass') return `${title}: passing`;
  if (e.outcome === 'unknown') return `${title}: not judged yet for ${e.unverifiedTenants.length} tenant(s) (their slots fell in Overdue's own outage; re-verified after a fresh grace)`;
  const tenants = Object.keys(e.byTenant).filter((t) => t !== 'platform');
  const forTenants = tenants.length ? ` for ${tenants.length} tenant${tenants.length === 1 ? '' : 's'}` : '';
  if (kind === 'slots') {
    const parts = e.targets.slice(0, 3).map((t) => {
      const slots = t.slots.map((s) => localSlot(s, t.tz));
      return `${t.slug} — slot${slots.length === 1 ? '' : 's'} ${listAnd(slots.slice(0, 5))}${slots.length > 5 ? ` (+${slots.length - 5} more)` : ''} ${t.tz ?? 'UTC'}`;
    });
    const more = e.targets.length > 3 ? `; and ${e.targets.length - 3} more tenants` : '';
    return `${e.observed ?? 0} ${unit ?? 'records'} missing${forTenants}: ${parts.join('; ')}${more}`;
  }
  const names = tenants.slice(0, 5).map((t) => tenantSlugs.get(t) ?? t);
  const who = names.length ? `: ${names.join(', ')}${tenants.length > 5 ? ` and ${tenants.length - 5} more` : ''}` : '';
  return `${title}: ${e.failingCount} ${unit ?? 'failing rows'}${e.outcome === 'warn' ? ' (warning)' : ''}${forTenants}${who}`;
}
