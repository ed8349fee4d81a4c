import { describe, expect, it } from 'vitest';
import type { Evaluation, RepairTarget } from '../../src/expectations/kinds.js';
import { summarize } from '../../src/expectations/summary.js';

/** A failing slots evaluation with these repair targets (one missing record per slot). */
function missing(...targets: Omit<RepairTarget, 'tenantId'>[]): Evaluation {
  const withIds = targets.map((t, i) => ({ ...t, tenantId: `00000000-0000-0000-0000-00000000000${i + 1}` }));
  const slots = withIds.reduce((n, t) => n + t.slots.length, 0);
  return {
    outcome: 'fail',
    observed: BigInt(slots),
    failingCount: slots,
    sample: [],
    byTenant: Object.fromEntries(withIds.map((t) => [t.tenantId, t.slots.length])),
    windowStart: null,
    windowEnd: null,
    targets: withIds,
    unverifiedTenants: [],
  };
}
const line = (e: Evaluation) => summarize('Invoices exist', 'slots', 'invoices', e, new Map());
const at = (...iso: string[]) => iso.map((s) => new Date(s));

describe('slot summaries print each instant at its schedule’s precision', () => {
  it('slots on whole minutes read to the minute, in the tenant’s zone', () => {
    expect(line(missing({ slug: 'acme', tz: 'America/Chicago', slots: at('2025-05-17T07:00:00Z', '2025-05-18T07:00:00Z') }))).toBe(
      '2 invoices missing for 1 tenant: acme — slots 2025-05-17 02:00 and 2025-05-18 02:00 America/Chicago',
    );
  });

  it('a schedule with seconds (two 5-second slots in one minute) reads to the second, so the slots differ', () => {
    expect(line(missing({ slug: 'fast', tz: null, slots: at('2026-03-02T10:06:00Z', '2026-03-02T10:06:05Z') }))).toBe(
      '2 invoices missing for 1 tenant: fast — slots 2026-03-02 10:06:00 and 2026-03-02 10:06:05 UTC',
    );
  });

  it('precision is per tenant (each tenant has its own schedule)', () => {
    const fast = { slug: 'fast', tz: null, slots: at(...[0, 5, 10, 15, 20, 25].map((s) => `2026-03-02T10:07:${String(s).padStart(2, '0')}Z`)) };
    const slow = { slug: 'slow', tz: 'Europe/Berlin', slots: at('2026-03-02T09:00:00Z') };
    expect(line(missing(fast, slow))).toBe(
      '7 invoices missing for 2 tenants: fast — slots 2026-03-02 10:07:00, 2026-03-02 10:07:05, 2026-03-02 10:07:10, 2026-03-02 10:07:15 and 2026-03-02 10:07:20 (+1 more) UTC; ' +
        'slow — slot 2026-03-02 10:00 Europe/Berlin',
    );
  });

  it('the repeated hour when clocks go back reads with each slot’s UTC offset, so its two slots differ too', () => {
    // America/Chicago, 2 November 2025: 01:30 CDT (UTC−05:00) and, an hour later, 01:30 CST (UTC−06:00).
    expect(line(missing({ slug: 'acme', tz: 'America/Chicago', slots: at('2025-11-02T06:30:00Z', '2025-11-02T07:30:00Z', '2025-11-02T08:30:00Z') }))).toBe(
      '3 invoices missing for 1 tenant: acme — slots 2025-11-02 01:30 (UTC−05:00), 2025-11-02 01:30 (UTC−06:00) and 2025-11-02 02:30 (UTC−06:00) America/Chicago',
    );
  });
});
