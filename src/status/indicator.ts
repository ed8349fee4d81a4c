import type { ComponentStatus, Impact } from '../incidents/index.js';

export type Indicator = 'none' | 'minor' | 'major' | 'critical' | 'maintenance';

const IMPACT_RANK: Record<Indicator, number> = { none: 0, maintenance: 1, minor: 2, major: 3, critical: 4 };

const DESCRIPTION: Record<string, string> = {
  none: 'All Systems Operational',
  maintenance: 'Service Under Maintenance',
};

/**
 * The page roll-up from leaf component statuses (Statuspage's observed rule,
 * first matching row wins), raised to the worst unresolved incident impact;
 * an in-progress maintenance lifts `none` to `maintenance`.
 */
export function pageIndicator(leaves: ComponentStatus[], unresolvedImpacts: Impact[], maintenanceInProgress: boolean): { indicator: Indicator; description: string } {
  let out: { indicator: Indicator; description: string };
  const all = (s: ComponentStatus) => leaves.length > 0 && leaves.every((l) => l === s);
  const some = (s: ComponentStatus) => leaves.some((l) => l === s);
  if (leaves.length === 1) {
    const s = leaves[0]!;
    out =
      s === 'major_outage'
        ? { indicator: 'critical', description: 'Major System Outage' }
        : s === 'partial_outage'
          ? { indicator: 'major', description: 'Partial System Outage' }
          : s === 'degraded_performance'
            ? { indicator: 'minor', description: 'Partially Degraded Service' }
            : s === 'under_maintenance'
              ? { indicator: 'maintenance', description: DESCRIPTION.maintenance! }
              : { indicator: 'none', description: DESCRIPTION.none! };
  } else if (all('major_outage')) out = { indicator: 'critical', description: 'Major System Outage' };
  else if (some('major_outage')) out = { indicator: 'major', description: 'Partial System Outage' };
  else if (all('partial_outage')) out = { indicator: 'major', description: 'Partial System Outage' };
  else if (some('partial_outage')) out = { indicator: 'minor', description: 'Minor Service Outage' };
  else if (all('degraded_performance')) out = { indicator: 'minor', description: 'Degraded System Service' };
  else if (some('degraded_performance')) out = { indicator: 'minor', description: 'Partially Degraded Service' };
  else if (some('under_maintenance')) out = { indicator: 'maintenance', description: DESCRIPTION.maintenance! };
  else out = { indicator: 'none', description: DESCRIPTION.none! };

  for (const impact of unresolvedImpacts) {
    const i = impact as Indicator;
    if (IMPACT_RANK[i] > IMPACT_RANK[out.indicator]) {
      out = {
        indicator: i,
        description: i === 'critical' ? 'Major System Outage' : i === 'major' ? 'Partial System Outage' : i === 'minor' ? 'Minor Service Outage' : DESCRIPTION.maintenance!,
      };
    }
  }
  if (maintenanceInProgress && out.indicator === 'none') out = { indicator: 'maintenance', description: DESCRIPTION.maintenance! };
  return out;
}
