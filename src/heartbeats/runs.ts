import type { OpenRuns } from './table.js';

/**
 * Runs and their durations, pure. A check remembers its open runs by run id
 * ('' for runs started without one), so overlapping runs with distinct `rid`s
 * each close their own start. This is healthchecks' per-ping rule (ping-api.md
 * §5: the newest older start with the same rid, within 72 h, unless a finish
 * with that rid came first) kept as state instead of walked from the ping log.
 */

/** healthchecks pairs a finish with a start at most 72 h older. */
export const RUN_WINDOW_MS = 72 * 3600 * 1000;
/** Open runs a check remembers; beyond this the oldest are forgotten (a job that never finishes its runs). */
export const MAX_OPEN_RUNS = 32;

const keyOf = (rid: string | null) => rid ?? '';

/** Runs started within the window, at most MAX_OPEN_RUNS, newest kept (the same object when nothing goes). */
function pruned(runs: OpenRuns, now: Date): OpenRuns {
  // The common case, checked without copying: few runs, the oldest still in the window.
  let count = 0;
  let oldest: string | null = null;
  for (const key in runs) {
    count++;
    const at = runs[key]!.at;
    if (oldest === null || at < oldest) oldest = at;
  }
  if (oldest === null || (count <= MAX_OPEN_RUNS && now.getTime() - Date.parse(oldest) <= RUN_WINDOW_MS)) return runs;
  const entries = Object.entries(runs);
  let kept = entries.filter(([, r]) => now.getTime() - Date.parse(r.at) <= RUN_WINDOW_MS);
  // ISO instants of one format sort as text: no parsing in the comparator.
  if (kept.length > MAX_OPEN_RUNS) kept = kept.sort(([, a], [, b]) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, MAX_OPEN_RUNS);
  return kept.length === entries.length ? runs : Object.fromEntries(kept);
}

/** A start opens (or restarts) the run with its id. */
export function openRun(runs: OpenRuns, rid: string | null, now: Date): OpenRuns {
  return pruned({ ...runs, [keyOf(rid)]: { at: now.toISOString() } }, now);
}

/** A success or fail closes the run with its id: the run's duration (null when none was open) and the runs left. */
export function closeRun(runs: OpenRuns, rid: string | null, now: Date): { durationMs: bigint | null; runs: OpenRuns } {
  const key = keyOf(rid);
  const run = runs[key];
  if (!run) return { durationMs: null, runs };
  const rest = { ...runs };
  delete rest[key];
  const ms = now.getTime() - Date.parse(run.at);
  // Pruning happens when runs open; a finish only removes its own.
  return { durationMs: ms >= 0 && ms <= RUN_WINDOW_MS ? BigInt(ms) : null, runs: rest };
}

/** The oldest open run not yet reported too slow, with the instant it becomes too slow; null without a bound. */
export function slowRunDeadline(runs: OpenRuns, maxDurationS: number | null): { key: string; startedAt: Date; at: Date } | null {
  if (maxDurationS === null) return null;
  // ISO instants of one format compare as text: only the oldest is parsed.
  let oldest: [string, string] | null = null;
  for (const key in runs) {
    const r = runs[key]!;
    if (!r.late && (!oldest || r.at < oldest[1])) oldest = [key, r.at];
  }
  if (!oldest) return null;
  const startedAt = new Date(oldest[1]);
  return { key: oldest[0], startedAt, at: new Date(startedAt.getTime() + maxDurationS * 1000) };
}

/** Every open run marked as already reported: after a silence, runs begun before it raise nothing. */
export function markRunsLate(runs: OpenRuns): OpenRuns {
  return Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, { ...r, late: true as const }]));
}

/** "3 s", "4 min 10 s", "2 h 5 min", "3 d 4 h": a duration as the alert says it. */
export function spokenDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return sec > 0 ? `${m} min ${sec} s` : `${m} min`;
  return `${sec} s`;
}

export const tooFastText = (durationMs: number, minS: number) => `finished in ${spokenDuration(durationMs)}, expected at least ${spokenDuration(minS * 1000)}`;
export const tooSlowText = (runningMs: number, maxS: number) => `running for ${spokenDuration(runningMs)}, expected at most ${spokenDuration(maxS * 1000)}`;

export interface DurationSummary {
  /** Seconds; null when there are no durations. */
  p50: number | null;
  p90: number | null;
  max: number | null;
  count: number;
}

/** Nearest-rank percentiles of durations in ms, answered in seconds (two decimals). */
export function summarizeDurations(durationsMs: number[]): DurationSummary {
  if (durationsMs.length === 0) return { p50: null, p90: null, max: null, count: 0 };
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { p50: seconds(rank(50)), p90: seconds(rank(90)), max: seconds(sorted[sorted.length - 1]!), count: sorted.length };
}

/** ms → seconds with two decimals, as the v3 pings list shows durations. */
export const seconds = (ms: number) => Math.round(ms / 10) / 100;
