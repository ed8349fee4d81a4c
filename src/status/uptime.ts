import type { ComponentRow, ComponentStatus } from '../incidents/index.js';

export interface UptimeDay {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  worst: ComponentStatus;
  /** How long the component was not operational that day (maintenance is not down). */
  downMs: number;
  /** The day ended before the component existed: shown as "no data", never as operational. */
  noData?: true;
}

export const DAY_MS = 86_400_000;
export const UPTIME_DAYS = 90;
const RANK: Record<ComponentStatus, number> = { operational: 0, under_maintenance: 1, degraded_performance: 2, partial_outage: 3, major_outage: 4 };

/** The first instant of the uptime window: the bars cover the 90 UTC days up to and including today. */
export function uptimeStart(now: Date): Date {
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY_MS;
  return new Date(end - UPTIME_DAYS * DAY_MS);
}

/**
 * Per leaf component, the worst status of each of the last 90 UTC days and
 * how long it was not operational, from the status log (one row per change,
 * oldest first) and each component's last status before the window. Days
 * before a component existed are marked `noData`; today counts only up to `now`.
 */
export function uptimeDays(
  leaves: ComponentRow[],
  log: { component_id: string; status: ComponentStatus; at: Date }[],
  before: { component_id: string; status: ComponentStatus }[],
  now: Date,
): Map<string, UptimeDay[]> {
  const out = new Map<string, UptimeDay[]>();
  const start = uptimeStart(now).getTime();
  const end = start + UPTIME_DAYS * DAY_MS;
  for (const c of leaves) {
    const created = c.created_at.getTime();
    let status: ComponentStatus = before.find((b) => b.component_id === c.id)?.status ?? 'operational';
    const changes = log.filter((l) => l.component_id === c.id);
    let i = 0;
    const days: UptimeDay[] = [];
    for (let d = start; d < end; d += DAY_MS) {
      let worst = status;
      let downMs = 0;
      let at = Math.max(d, created);
      const dayEnd = Math.min(d + DAY_MS, now.getTime());
      while (i < changes.length && changes[i]!.at.getTime() < d + DAY_MS) {
        const change = changes[i]!;
        const t = Math.max(change.at.getTime(), d);
        if (status !== 'operational' && status !== 'under_maintenance') downMs += Math.max(0, Math.min(t, dayEnd) - at);
        at = Math.max(t, at);
        status = change.status;
        if (RANK[status] > RANK[worst]) worst = status;
        i++;
      }
      if (status !== 'operational' && status !== 'under_maintenance') downMs += Math.max(0, dayEnd - at);
      const day = new Date(d).toISOString().slice(0, 10);
      // Before the component existed: a slot that says so (always 90 slots, none of them made-up green).
      days.push(d + DAY_MS <= created ? { day, worst: 'operational', downMs: 0, noData: true } : { day, worst, downMs });
    }
    out.set(c.id, days);
  }
  return out;
}
