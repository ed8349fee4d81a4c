import type { ColumnType, Generated } from 'kysely';

type Json<T> = ColumnType<T, string | null, string | null>;
export type ComponentStatus = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage' | 'under_maintenance';
export type IncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved' | 'postmortem';
export type MaintenanceStatus = 'scheduled' | 'in_progress' | 'verifying' | 'completed';
export type Impact = 'none' | 'minor' | 'major' | 'critical' | 'maintenance';
export interface AffectedComponent {
  code: string;
  name: string;
  old_status: ComponentStatus;
  new_status: ComponentStatus;
}

export interface PageTable {
  id: string;
  slug: string;
  name: string;
  time_zone: string;
  tenant_id: string | null;
  /** The page's logo: an https URL (at most 2048 characters) the browser loads; null: none. */
  logo_url: ColumnType<string | null, string | null | undefined, string | null>;
  /** `#rrggbb`, AA against the light background (the dark shade is derived); null: the house accent. */
  accent_color: ColumnType<string | null, string | null | undefined, string | null>;
  version: ColumnType<bigint, bigint | number | undefined, bigint | number>;
  created_at: Date;
  updated_at: Date;
}

export interface ComponentTable {
  id: string;
  page_id: string;
  name: string;
  description: string | null;
  is_group: boolean;
  group_id: string | null;
  position: number;
  only_show_if_degraded: boolean;
  showcase: boolean;
  status: ComponentStatus;
  start_date: string | null;
  /** How this component's automatic incidents go public: at once, after `publish_after` s if still failing, or as a draft. */
  auto_incident: ColumnType<AutoIncident, AutoIncident | undefined, AutoIncident>;
  publish_after: number | null;
  /** Title of its automatic incidents; `{component}` and `{status}` are filled in. Null: the default. */
  incident_template: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Date;
  updated_at: Date;
}

export type AutoIncident = 'publish' | 'delay' | 'draft';

export interface ComponentSourceTable {
  component_id: string;
  source: string;
}

export interface ComponentStatusLogTable {
  id: Generated<bigint>;
  component_id: string;
  status: ComponentStatus;
  at: Date;
}

export interface IncidentTable {
  id: string;
  page_id: string;
  kind: 'incident' | 'maintenance';
  name: string;
  status: IncidentStatus | MaintenanceStatus;
  impact: Impact;
  shortlink: string;
  automatic: boolean;
  started_at: Date;
  monitoring_at: Date | null;
  resolved_at: Date | null;
  scheduled_for: Date | null;
  scheduled_until: Date | null;
  postmortem_body: string | null;
  postmortem_published_at: Date | null;
  /** Null: a draft, seen only through the authenticated API (no page, feed, JSON or notification). */
  published_at: Date | null;
  /** A delayed draft publishes itself then if still open; null for an operator's draft. */
  publish_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface IncidentSourceTable {
  incident_id: string;
  source: string;
  /** The incident's page: a source holds at most one open incident per page. */
  page_id: string;
  open: boolean;
  created_at: Date;
}

export interface IncidentComponentTable {
  incident_id: string;
  component_id: string;
  status: ComponentStatus;
}

export interface IncidentUpdateTable {
  id: string;
  incident_id: string;
  status: IncidentStatus | MaintenanceStatus;
  body: string;
  affected_components: Json<AffectedComponent[] | null>;
  deliver_notifications: boolean;
  display_at: Date;
  created_at: Date;
  updated_at: Date;
}

export interface NotificationEventTable {
  id: Generated<bigint>;
  type: string;
  page_id: string;
  incident_id: string | null;
  update_id: string | null;
  component_id: string | null;
  component_ids: string[];
  old_status: ComponentStatus | null;
  new_status: ComponentStatus | null;
  deliver: boolean;
  created_at: Date;
  fanned_out_at: Date | null;
}
