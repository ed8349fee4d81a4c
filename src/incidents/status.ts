import type { ComponentStatus, Impact, IncidentStatus, MaintenanceStatus } from './table.js';

// Pure rules of incidents and component statuses. The public page's roll-up (pageIndicator) is status/'s.

export const COMPONENT_STATUSES: readonly ComponentStatus[] = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'];
export const INCIDENT_STATUSES: readonly IncidentStatus[] = ['investigating', 'identified', 'monitoring', 'resolved', 'postmortem'];
export const MAINTENANCE_STATUSES: readonly MaintenanceStatus[] = ['scheduled', 'in_progress', 'verifying', 'completed'];
export const IMPACTS: readonly Impact[] = ['none', 'minor', 'major', 'critical'];
export const OPEN_INCIDENT: readonly IncidentStatus[] = ['investigating', 'identified', 'monitoring'];

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

export function isOpenIncident(status: string): boolean {
  return (OPEN_INCIDENT as readonly string[]).includes(status);
}
