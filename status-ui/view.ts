/** What the public pages render: plain data, prepared by src/status/render.ts (and the subscriber pages by src/notify). */
export type Tone = 'ok' | 'minor' | 'major' | 'critical' | 'maintenance';
/** A day slot's tone: a status, or "no data" (before the component existed): neutral, never green. */
export type DayTone = Tone | 'nodata';

export interface TimeView {
  iso: string;
  /** In the page's zone, with the zone named: "2025-05-17 14:00 UTC". */
  text: string;
}

/** The page's own look: its name, its logo (https) and its accent (light and the derived dark shade). */
export interface Brand {
  name: string;
  /** Where the page lives: '' for the default page, `/s/<slug>` for the others. */
  basePath: string;
  logoUrl: string | null;
  accent: { light: string; dark: string } | null;
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
  /** "Major impact", "Maintenance". */
  impactLabel: string;
  /** From the status and the impact: an unresolved incident is never `ok`. */
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
  /** Accessible label and tooltip: "2025-05-17: 98.50% uptime, partial outage", "2025-05-18: operational", "2025-02-01: No data". */
  label: string;
  tone: DayTone;
}

export interface ComponentView {
  id: string;
  name: string;
  description: string | null;
  statusLabel: string;
  tone: Tone;
  /** Over the days with data; null when there are no bars. */
  uptime: string | null;
  /** 90 slots, oldest first (none for a group or a component not showcased). */
  days: DayView[];
  /** A group: a header with its members beneath it (its status: the worst of theirs). */
  group: boolean;
  children: ComponentView[];
}

export interface PageView {
  brand: Brand;
  timeZone: string;
  banner: { tone: Tone; text: string };
  activeIncidents: IncidentView[];
  maintenances: { active: IncidentView[]; upcoming: IncidentView[] };
  components: ComponentView[];
  updatedAt: TimeView;
}

export interface HistoryView {
  brand: Brand;
  months: { label: string; incidents: IncidentView[] }[];
  updatedAt: TimeView;
  page: { number: number; count: number };
}

/** A component a subscriber may choose on the manage form. */
export interface ChoiceView {
  id: string;
  name: string;
  /** Its group's name, when it is in one. */
  group: string | null;
  checked: boolean;
}

export interface ManageView {
  brand: Brand;
  email: string;
  /** The form posts back to the manage link (the token is the subscriber's capability). */
  action: string;
  confirmed: boolean;
  unsubscribed: boolean;
  /** Every component: true when the subscriber hears about all of them. */
  all: boolean;
  choices: ChoiceView[];
  /** After a save: what changed, said once. */
  notice: string | null;
}
