import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { nextSlot, previousSlot, type JobSchedule } from '../time/slots.js';

/** The newest slot at or before `at` (epoch when none within 400 days). */
export function slotAtOrBefore(schedule: JobSchedule, at: Date): Date {
  return previousSlot(schedule, new Date(at.getTime() + 1));
}

/** Slots in [from, to], oldest first, at most `limit`. */
export function slotsInRange(schedule: JobSchedule, from: Date, to: Date, limit = 100): Date[] {
  const out: Date[] = [];
  for (let at = nextSlot(schedule, new Date(from.getTime() - 1)); at && at <= to && out.length < limit; at = nextSlot(schedule, at)) out.push(at);
  return out;
}

export interface TenantSlotInfo {
  tenantId: string;
  slug: string;
  schedule: JobSchedule;
  graceS: number;
  /** The newest slot whose grace has passed. */
  due: Date;
  /** The newest slot that may be judged now: `due`, unless it fell in our own outage and its fresh grace is running. */
  verifiable: Date | null;
}

export interface Outage {
  /** Last evaluation before the gap. */
  gapStart: Date;
  /** When evaluation resumed: slots in the gap get their grace from here. */
  resumedAt: Date;
}

/**
 * Per tenant, which run slot its invoices are answerable for as of `asOf`.
 * Computed once per distinct (schedule, zone, grace), not per tenant. Slots
 * before `knownSince` (the expectation's creation) are never judged.
 */
export async function tenantSlots(
  db: Kysely<Database>,
  spec: { schedule: 'tenant-invoice-schedule'; grace: 'tenant-invoice-grace' } | { schedule: { cron: string; tz: string }; graceS: number },
  asOf: Date,
  knownSince: Date,
  outage: Outage | null,
): Promise<TenantSlotInfo[]> {
  const tenants = await db.selectFrom('tenants').select(['id', 'slug', 'timezone', 'invoice_schedule', 'invoice_grace_s']).execute();
  const groups = new Map<string, { due: Date; verifiable: Date | null }>();
  const out: TenantSlotInfo[] = [];
  for (const t of tenants) {
    const schedule: JobSchedule = 'graceS' in spec ? spec.schedule : { cron: t.invoice_schedule, tz: t.timezone };
    const graceS = 'graceS' in spec ? spec.graceS : t.invoice_grace_s;
    const key = `${'cron' in schedule ? `${schedule.cron}\u0000${schedule.tz}` : ''}\u0000${graceS}`;
    let g = groups.get(key);
    if (!g) {
      const due = slotAtOrBefore(schedule, new Date(asOf.getTime() - graceS * 1000));
      let verifiable: Date | null = due;
      if (outage && due > outage.gapStart && outage.resumedAt.getTime() + graceS * 1000 > asOf.getTime()) {
        // Came due while we were down and its fresh grace has not passed: judge only up to the gap.
        const before = slotAtOrBefore(schedule, new Date(Math.min(outage.gapStart.getTime(), asOf.getTime() - graceS * 1000)));
        verifiable = before;
      }
      if (verifiable && verifiable < knownSince) verifiable = null;
      g = { due, verifiable };
      groups.set(key, g);
    }
    if (g.due < knownSince) continue;
    out.push({ tenantId: t.id, slug: t.slug, schedule, graceS, due: g.due, verifiable: g.verifiable });
  }
  return out;
}
