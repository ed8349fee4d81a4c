/** What the public pages render: plain data, prepared by src/status/render.ts. */
export type Tone = 'ok' | 'minor' | 'major' | 'critical' | 'maintenance';

export interface TimeView {
  iso: string;
  /** In the page's zone, with the zone named: "2025-05-17 14:00 UTC". */
  text: string;
}

export interface UpdateView {
  status: string;
  statusLabel: string;
  bodyHtml: string;
  at: TimeView;
}

export interface IncidentView {
  id: string;
  name: string;
  href: string;
  impact: string;
  tone: Tone;
  status: string;
  statusLabel: string;
  createdAt: TimeView;
  resolvedAt: TimeView | null;
  scheduledFor: TimeView | null;
  scheduledUntil: TimeView | null;
  components: string[];
  updates: UpdateView[];
  postmortemHtml: string | null;
}

export interface DayView {
  /** Accessible label and tooltip: "2025-05-17: 98.50% uptime, partial outage", or "2025-05-18: operational". */
  label: string;
  tone: Tone;
}

export interface ComponentView {
  id: string;
  name: string;
  description: string | null;
  statusLabel: string;
  tone: Tone;
  uptime: string | null;
  days: DayView[];
  children: ComponentView[];
}

export interface PageView {
  name: string;
  basePath: string;
  timeZone: string;
  banner: { tone: Tone; text: string };
  activeIncidents: IncidentView[];
  maintenances: { active: IncidentView[]; upcoming: IncidentView[] };
  components: ComponentView[];
  updatedAt: TimeView;
}

export interface HistoryView {
  name: string;
  basePath: string;
  months: { label: string; incidents: IncidentView[] }[];
  updatedAt: TimeView;
  page: { number: number; count: number };
}
