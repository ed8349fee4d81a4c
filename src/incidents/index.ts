/**
 * What other features and the composition root use of incidents: the status
 * page reads pages, components and incidents through here; notify reads pages
 * and claims the notification events incidents write; the composition root
 * builds the services, the manager and the maintenance job.
 *
 * The manual API's routes (routes.ts) are not re-exported: they render with
 * status's Statuspage JSON, and status reads through this module, so
 * re-exporting them would make the two public modules import each other.
 */
export type { ComponentStatus, Impact } from './table.js';
export { COMPONENT_STATUSES, IMPACTS, INCIDENT_STATUSES, isOpenIncident, MAINTENANCE_STATUSES, worstStatus } from './status.js';
export type { IncidentStatus, MaintenanceStatus } from './table.js';
export { ensureDefaultPage, findPage, findPageBySlug, pageVersions, type PageRow } from './store/pages.js';
export { componentsOfPage, findComponents, lastStatusesBefore, statusLogSince, type ComponentRow } from './store/components.js';
export { activeOfPage, findIncident, recentOfPage, withDetails, type IncidentData, type IncidentRow, type UpdateRow } from './store/incidents.js';
export { claimNextEvent, markEventFannedOut, type NotificationEventRow } from './store/events.js';
export { createPageService, type PageService } from './page-service.js';
// The API's rules for a page's logo and accent colour, shared with the console's form.
export { accentColor as checkAccentColor, logoUrl as checkLogoUrl } from './page-branding.js';
export { createIncidentService, type IncidentService, type IncidentView } from './incident-service.js';
export type { MaintenanceEdit } from './maintenance.js';
// The manual API's input checks (each failure a validation_failed AppError naming the field); the console reads forms with them.
export { impact as checkImpact, incidentStatus as checkIncidentStatus, text as checkText } from './input.js';
// The component forms' checks (the console's status page forms read them as the API does).
export { AUTO_INCIDENT, autoIncident as checkAutoIncident, incidentTemplate as checkIncidentTemplate, publishAfter as checkPublishAfter, sources as checkSourceList } from './input.js';
export type { ComponentChange, NewComponent } from './page-service.js';
export type { AutoIncident } from './table.js';
export { advanceMaintenances } from './maintenance.js';
export { IncidentManager } from './manager.js';
// Who owns a source a component lists: the composition root builds the lookup from heartbeats and expectations.
export { sourceRefusal, type Actor, type SourceOwner, type SourceOwnerLookup } from './source-rules.js';
// Heartbeats hold their deadlines while a maintenance window covers them (wired at the composition root).
export { maintenanceWindowsOf } from './store/silences.js';
