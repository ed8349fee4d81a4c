import type { ComponentStatus, Impact, IncidentStatus, MaintenanceStatus } from './table.js';

export const COMPONENT_STATUSES: readonly ComponentStatus[] = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'];
export const INCIDENT_STATUSES: readonly IncidentStatus[] = ['investigating', 'identified', 'monitoring', 'resolved', 'postmortem'];
export const MAINTENANCE_STATUSES: readonly MaintenanceStatus[] = ['scheduled', 'in_progress', 'verifying', 'completed'];
export const IMPACTS: readonly Impact[] = ['none', 'minor', 'major', 'critical'];
export const OPEN_INCIDENT: readonly IncidentStatus[] = ['investigating', 'identified', 'monitoring'];

export type Indicator = 'none' | 'minor' | 'major' | 'critical' | 'maintenance';

/** How bad a component status is, for "worst of": maintenance is below any outage. */
const SEVERITY: Record<ComponentStatus, number> = { operational: 0, under_maintenance: 1, degraded_performance: 2, partial_outage: 3, major_outage: 4 };

export function worstStatus(statuses: Iterable<ComponentStatus>): ComponentStatus {
  let worst: ComponentStatus = 'operational';
  for (const s of statuses) if (SEVERITY[s] > SEVERITY[worst]) worst = s;
  return worst;
}

/** Incident impact of a component status (the worst affected component sets an incident's impact). */
export function impactOf(status: ComponentStatus): Impact {
  return status === 'major_outage' ? 'critical' : status === 'partial_outage' ? 'major' : status === 'degraded_performance' ? 'minor' : 'none';
}

/** The component status an automatic incident of this severity sets. */
export function statusForSeverity(severity: string): ComponentStatus {
  return severity === 'critical' ? 'major_outage' : severity === 'minor' ? 'degraded_performance' : 'partial_outage';
}

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

export function isOpenIncident(status: string): boolean {
  return (OPEN_INCIDENT as readonly string[]).includes(status);
}
