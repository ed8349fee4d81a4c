import type { CheckListItem, CheckStateName, PingItem } from '../../console-ui/view.js';
import type { CheckDetail } from '../../console-ui/checks.js';
import { graceStart, pingsJson, rowToState, type CheckRow, type CheckState } from '../heartbeats/index.js';

const STATE_LABEL: Record<CheckState, string> = { down: 'Down', late: 'Late', new: 'New, never pinged', up: 'Up', paused: 'Paused' };
const RANK_STATE: CheckState[] = ['down', 'late', 'new', 'up', 'paused'];

/** "2026-12-05 07:50 UTC": the server renders UTC with the zone named; the browser adds the viewer's time as a tooltip. */
export const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** A check's schedule in words. */
export function scheduleText(row: CheckRow): string {
  const grace = humanSeconds(row.grace_s);
  if (row.kind === 'simple') return `every ${humanSeconds(row.timeout_s)}, ${grace} grace`;
  return `cron "${row.schedule}", ${grace} grace`;
}

function humanSeconds(s: number): string {
  if (s % 86_400 === 0) return `${s / 86_400} d`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}

export function listItem(row: CheckRow & { rank: number }): CheckListItem {
  const state = RANK_STATE[row.rank] ?? 'up';
  return {
    id: row.id,
    name: row.name,
    tags: row.tags,
    state,
    stateLabel: STATE_LABEL[state],
    lastPing: row.last_ping ? utc(row.last_ping) : null,
    lastPingIso: row.last_ping?.toISOString() ?? null,
    schedule: scheduleText(row),
  };
}

export function stateOf(row: CheckRow, now: Date): CheckStateName {
  if (row.status === 'down' || row.status === 'paused' || row.status === 'new') return row.status;
  const start = graceStart(rowToState(row));
  return start && start.getTime() <= now.getTime() ? 'late' : 'up';
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** The run-duration chart's points, oldest first, from the newest closed runs (whatever page of the log is shown). */
export const durationPoints = (runs: { at: Date; durationMs: number }[]) => runs.map((r) => ({ at: r.at.toISOString().slice(0, 16).replace('T', ' '), seconds: Math.round(r.durationMs / 10) / 100 }));

export function checkDetail(
  row: CheckRow,
  pings: Parameters<typeof pingsJson>[0],
  flips: { created: Date; old_status: string; new_status: string }[],
  runs: { at: Date; durationMs: number }[],
  now: Date,
  publicUrl: string,
): { check: CheckDetail; pings: PingItem[] } {
  const state = stateOf(row, now);
  const next = state === 'up' || state === 'late' ? graceStart(rowToState(row)) : null;
  const json = pingsJson(pings, row.id, publicUrl);
  const items: PingItem[] = pings.map((p, i) => {
    const j = json[i]!;
    const head = (p as { body_head?: Uint8Array | null }).body_head;
    return {
      n: Number(p.n),
      kind: j.type,
      at: utc(p.created),
      atIso: p.created.toISOString(),
      source: `${p.scheme.toUpperCase()} ${p.method} from ${p.remote_addr ?? 'unknown'}`,
      duration: j.duration !== undefined ? `${j.duration} s` : null,
      excerpt: head && head.length ? decoder.decode(head).replace(/\s+/g, ' ').slice(0, 120) : null,
      bodyHref: j.body_url ? `/console/checks/${row.id}/pings/${Number(p.n)}/body` : null,
    };
  });
  return {
    check: {
      id: row.id,
      name: row.name,
      state,
      stateLabel: STATE_LABEL[state],
      scheduleText: scheduleText(row),
      zone: row.kind === 'simple' ? 'UTC' : row.tz,
      nextExpected: next ? utc(next) : null,
      nextExpectedIso: next?.toISOString() ?? null,
      tags: row.tags,
      pingUrl: `${publicUrl}/ping/${row.id}`,
      slugUrl: row.slug ? `${publicUrl}/ping/${row.ping_key}/${row.slug}` : null,
      paused: row.status === 'paused',
      durations: durationPoints(runs),
      flips: flips.slice(0, 50).map((f) => ({ at: utc(f.created), atIso: f.created.toISOString(), change: `${f.old_status} → ${f.new_status}` })),
    },
    pings: items,
  };
}
