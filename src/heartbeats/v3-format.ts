import { uniqueKey, type listPings } from './manage-store.js';
import { apiStatus, graceStart } from './status.js';
import { seconds } from './runs.js';
import { rowToState, type CheckRow } from './store.js';

/** healthchecks' timestamp form: seconds precision, explicit +00:00. */
export function isoSeconds(d: Date | null): string | null {
  return d ? `${d.toISOString().slice(0, 19)}+00:00` : null;
}

/** Ping dates carry microseconds in healthchecks. */
function isoMicros(d: Date): string {
  return `${d.toISOString().slice(0, 23)}000+00:00`;
}

const SEVENTY_TWO_HOURS_MS = 72 * 3600 * 1000;

/** A check as healthchecks' v3 API shows it, plus Overdue's fields. Read-only keys see `unique_key` instead of URLs. */
export function checkJson(row: CheckRow, now: Date, opts: { publicUrl: string; readOnly: boolean; channels?: string }) {
  const state = rowToState(row);
  const { status, started } = apiStatus(state, now);
  const base = `${opts.publicUrl}/api/v3/checks/${row.id}`;
  const json: Record<string, unknown> = {
    name: row.name,
    slug: row.slug,
    tags: row.tags,
    desc: row.description,
    grace: row.grace_s,
    n_pings: Number(row.n_pings),
    status,
    started,
    last_ping: isoSeconds(row.last_ping),
    next_ping: isoSeconds(graceStart(state)),
    manual_resume: row.manual_resume,
    methods: row.methods,
    subject: '',
    subject_fail: '',
    start_kw: row.start_kw,
    success_kw: row.success_kw,
    failure_kw: row.failure_kw,
    filter_subject: false,
    filter_body: false,
    filter_http_body: row.filter_http_body,
    filter_default_fail: row.filter_default_fail,
    badge_url: null,
  };
  if (row.last_duration_ms !== null && Number(row.last_duration_ms) < SEVENTY_TWO_HOURS_MS) {
    json.last_duration = Math.round(Number(row.last_duration_ms) / 1000);
  }
  if (row.kind === 'simple') json.timeout = row.timeout_s;
  else Object.assign(json, { schedule: row.schedule, tz: row.tz });
  if (opts.readOnly) {
    json.unique_key = uniqueKey(row.id);
  } else {
    Object.assign(json, {
      uuid: row.id,
      ping_url: `${opts.publicUrl}/ping/${row.id}`,
      update_url: base,
      pause_url: `${base}/pause`,
      resume_url: `${base}/resume`,
      channels: opts.channels ?? '',
    });
  }
  // Overdue's own fields.
  Object.assign(json, {
    kind: row.kind,
    tenant_id: row.tenant_id,
    component_id: row.component_id,
    failure_threshold: row.failure_threshold,
    recovery_threshold: row.recovery_threshold,
    min_duration: row.min_duration_s,
    max_duration: row.max_duration_s,
    paused_until: isoSeconds(row.paused_until),
    // A maintenance window holds the check's deadline until then (its status may read late meanwhile).
    silenced_until: isoSeconds(row.silenced_until),
  });
  return json;
}

type PingRow = Awaited<ReturnType<typeof listPings>>[number];

/**
 * Pings newest first, each success/fail with the duration of the run it
 * closes: stored with the ping since migration 0018; for older pings, the
 * nearest older `start` with the same run id (or both without) within 72 h,
 * unless a finish with that run id comes first (the same rule, walked).
 */
export function pingsJson(rows: PingRow[], checkId: string, publicUrl: string) {
  return rows.map((p, i) => {
    let duration: number | undefined;
    if (p.duration_ms !== null) duration = seconds(Number(p.duration_ms));
    else if (p.kind === null || p.kind === 'fail') {
      for (const older of rows.slice(i + 1)) {
        if (p.created.getTime() - older.created.getTime() > SEVENTY_TWO_HOURS_MS) break;
        if (older.rid !== p.rid) continue;
        if (older.kind === 'start') duration = Math.round((p.created.getTime() - older.created.getTime()) / 10) / 100;
        if (older.kind === 'start' || older.kind === null || older.kind === 'fail') break;
      }
    }
    return {
      type: p.kind ?? 'success',
      date: isoMicros(p.created),
      n: Number(p.n),
      scheme: p.scheme,
      remote_addr: p.remote_addr,
      method: p.method,
      ua: p.ua,
      rid: p.rid,
      exitstatus: p.exitstatus,
      scheduled_for: p.scheduled_for ? isoSeconds(p.scheduled_for) : null,
      ...(duration !== undefined && { duration }),
      body_url: p.has_body ? `${publicUrl}/api/v3/checks/${checkId}/pings/${p.n}/body` : null,
    };
  });
}
