/** What the console pages render: plain data prepared by src/console (no database, no clock here). */
export type CheckStateName = 'down' | 'late' | 'new' | 'up' | 'paused';

export interface Viewer {
  /** "admin", "tenant acme", "tenant acme (read-only)" */
  label: string;
  readOnly: boolean;
  /** The admin key: sees the platform's pages (jobs). */
  admin: boolean;
  csrf: string;
}

export interface CheckListItem {
  id: string;
  name: string;
  tags: string;
  state: CheckStateName;
  stateLabel: string;
  lastPing: string | null;
  lastPingIso: string | null;
  schedule: string;
}

export interface Tile {
  label: string;
  count: number;
  href: string;
  tone: CheckStateName | 'none';
}

export interface PingItem {
  n: number;
  kind: string;
  at: string;
  atIso: string;
  source: string;
  duration: string | null;
  excerpt: string | null;
  bodyHref: string | null;
}

/** A line saying what an action did (role=status; an error when not ok). */
export interface Notice {
  ok: boolean;
  text: string;
}
