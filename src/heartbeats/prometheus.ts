import { uniqueKey } from './manage-store.js';
import { apiStatus } from './status.js';
import { rowToState, type CheckRow } from './store.js';

/** The durations v3 shows: runs longer than this are taken for a lost start, as in `checkJson`. */
const SEVENTY_TWO_HOURS_MS = 72 * 3600 * 1000;

/**
 * The checks as Prometheus text (exposition format 0.0.4), with healthchecks'
 * metric names and labels, plus the last run's duration. Pure: rows and `now`
 * in, text out. Up means "not down": a check in its grace period, new or
 * paused counts as up, as in healthchecks.
 */
export function checksMetricsText(rows: CheckRow[], now: Date): string {
  const checks = rows.map((row) => {
    const { status, started } = apiStatus(rowToState(row), now);
    const tags = row.tags.split(' ').filter((t) => t !== '');
    const duration = row.last_duration_ms !== null && Number(row.last_duration_ms) < SEVENTY_TWO_HOURS_MS ? Number(row.last_duration_ms) / 1000 : null;
    return { labels: labels({ name: row.name, tags: row.tags, unique_key: uniqueKey(row.id) }), up: status !== 'down', started, tags, duration };
  });
  const tagUp = new Map<string, boolean>();
  for (const c of checks) for (const tag of c.tags) tagUp.set(tag, (tagUp.get(tag) ?? true) && c.up);

  const out: string[] = [];
  const family = (name: string, help: string, samples: string[]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...samples);
  };
  family('hc_check_up', 'Whether the check is currently up (1 for yes, 0 for no).', checks.map((c) => `hc_check_up${c.labels} ${c.up ? 1 : 0}`));
  family('hc_check_started', 'Whether the check is currently running (1 for yes, 0 for no).', checks.map((c) => `hc_check_started${c.labels} ${c.started ? 1 : 0}`));
  family(
    'hc_check_last_duration_seconds',
    'How long the check\'s last run took, from its start ping to the ping that ended it (checks with a measured run only).',
    checks.filter((c) => c.duration !== null).map((c) => `hc_check_last_duration_seconds${c.labels} ${c.duration}`),
  );
  family(
    'hc_tag_up',
    'Whether all checks with this tag are up (1 for yes, 0 for no).',
    [...tagUp.keys()].sort().map((tag) => `hc_tag_up${labels({ tag })} ${tagUp.get(tag) ? 1 : 0}`),
  );
  family('hc_checks_total', 'The total number of checks.', [`hc_checks_total ${checks.length}`]);
  family('hc_checks_down_total', 'The number of checks currently down.', [`hc_checks_down_total ${checks.filter((c) => !c.up).length}`]);
  return `${out.join('\n')}\n`;
}

/** `{a="…",b="…"}` with values escaped as the exposition format asks: backslash, double quote, line feed. */
function labels(values: Record<string, string>): string {
  const pairs = Object.entries(values).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return `{${pairs.join(',')}}`;
}
