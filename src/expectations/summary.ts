import type { Evaluation, RepairTarget } from './kinds.js';

const WALL = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } as const;

/**
 * A target's slots as its tenant reads them: wall time in the tenant's zone,
 * to the minute, or to the second when any of its slots is off a whole minute
 * (a schedule with seconds, or an interval that is not whole minutes; only
 * such a schedule has such slots, so whole-minute slots lose nothing). Slots
 * that still read the same (the hour repeated when clocks go back) each get
 * their UTC offset.
 */
function localSlots(t: RepairTarget): string[] {
  const tz = t.tz ?? 'UTC';
  const seconds = t.slots.some((s) => s.getTime() % 60_000 !== 0);
  const f = new Intl.DateTimeFormat('sv-SE', { timeZone: tz, ...WALL, ...(seconds && { second: '2-digit' }) });
  const wall = t.slots.map((s) => f.format(s));
  if (new Set(wall).size === wall.length) return wall;
  return wall.map((w, i) => `${w} (UTC${utcOffset(t.slots[i]!, tz)})`);
}

/** The zone's offset from UTC at an instant, as +01:00 or −05:00. */
function utcOffset(at: Date, tz: string): string {
  // sv-SE formats as "2025-11-02 01:30:00": read that wall time as if it were UTC.
  const wall = new Intl.DateTimeFormat('sv-SE', { timeZone: tz, ...WALL, second: '2-digit' }).format(at);
  const minutes = Math.round((Date.parse(`${wall.replace(' ', 'T')}Z`) - at.getTime()) / 60_000);
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '−' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
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
      const slots = localSlots(t);
      return `${t.slug} — slot${slots.length === 1 ? '' : 's'} ${listAnd(slots.slice(0, 5))}${slots.length > 5 ? ` (+${slots.length - 5} more)` : ''} ${t.tz ?? 'UTC'}`;
    });
    const more = e.targets.length > 3 ? `; and ${e.targets.length - 3} more tenants` : '';
    return `${e.observed ?? 0} ${unit ?? 'records'} missing${forTenants}: ${parts.join('; ')}${more}`;
  }
  const names = tenants.slice(0, 5).map((t) => tenantSlugs.get(t) ?? t);
  const who = names.length ? `: ${names.join(', ')}${tenants.length > 5 ? ` and ${tenants.length - 5} more` : ''}` : '';
  return `${title}: ${e.failingCount} ${unit ?? 'failing rows'}${e.outcome === 'warn' ? ' (warning)' : ''}${forTenants}${who}`;
}
