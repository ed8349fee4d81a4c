import type { AlertEventDraft, AlertSeverity, SignalRow } from '../signals/index.js';
import { excerpt, humanDuration } from './message.js';

export type SignalAlert = AlertEventDraft & { source: string; signalId: bigint; at: Date };

const when = (iso: unknown) => (typeof iso === 'string' && iso ? `${iso.slice(0, 19).replace('T', ' ')} UTC` : 'never');
const severityOf = (s: string): AlertSeverity => (s === 'minor' ? 'warning' : 'critical');

const CHECK_REASON: Record<string, string> = {
  fail: 'It reported a failure',
  too_fast: 'Its run finished too soon',
  too_slow: 'Its run is taking too long',
  timeout: 'It did not ping in time',
};

/** "4 min 10 s (usually 2 min–3 min, p50–p90 of 20 runs)". */
function runLength(lastS: number, usual: unknown): string {
  const u = usual as { p50?: unknown; p90?: unknown; count?: unknown } | undefined;
  const range = u && typeof u.p50 === 'number' && typeof u.p90 === 'number' ? ` (usually ${humanDuration(u.p50 * 1000)}–${humanDuration(u.p90 * 1000)}, p50–p90 of ${String(u.count)} runs)` : '';
  return `${humanDuration(lastS * 1000)}${range}`;
}

/**
 * The private alert a monitor's signal becomes: what failed or recovered,
 * since when, and the evidence (for a check: name, tags, how late, the last
 * ping body; for an expectation: the summary, failing tenants and sample
 * rows). Repair progress (`update`) is not alerted: the recovery says what was
 * repaired. Expectations run for the platform, so their alerts are the platform's.
 */
export function signalAlert(s: SignalRow, publicUrl: string): SignalAlert | undefined {
  if (s.kind === 'update') return undefined;
  const failing = s.kind === 'failing';
  const ev = (s.evidence ?? {}) as Record<string, unknown>;
  const [type, id] = [s.source.slice(0, s.source.indexOf(':')), s.source.slice(s.source.indexOf(':') + 1)];
  const facts: { name: string; value: string }[] = [];
  const links: { label: string; url: string }[] = [];
  let kind: string;
  let text: string;
  let evidence: string | null = null;
  if (type === 'check') {
    kind = failing ? 'check.down' : 'check.up';
    const at = typeof ev.flipped_at === 'string' ? new Date(ev.flipped_at) : s.created_at;
    text = failing
      ? `${CHECK_REASON[String(ev.reason)] ?? 'It did not ping in time'}${typeof ev.detail === 'string' && ev.detail ? ` (${ev.detail})` : ''}; down since ${when(at.toISOString())}.`
      : `It is up again at ${when(at.toISOString())}.`;
    if (typeof ev.tags === 'string' && ev.tags) facts.push({ name: 'Tags', value: ev.tags });
    facts.push({ name: 'Last ping', value: when(ev.last_ping_at) });
    if (failing && typeof ev.expected_at === 'string') {
      facts.push({ name: 'Expected by', value: when(ev.expected_at) });
      facts.push({ name: 'Late by', value: humanDuration(at.getTime() - new Date(ev.expected_at).getTime()) });
    }
    if (failing && typeof ev.last_duration_s === 'number') facts.push({ name: 'Last run', value: runLength(ev.last_duration_s, ev.usual_duration_s) });
    if (typeof ev.body_excerpt === 'string' && ev.body_excerpt) evidence = excerpt(ev.body_excerpt);
    links.push({ label: 'Check (API)', url: `${publicUrl}/api/v3/checks/${id}` }, { label: 'Ping log (API)', url: `${publicUrl}/api/v3/checks/${id}/pings/` });
  } else {
    kind = `${type}.${failing ? 'failing' : 'recovered'}`;
    const afterSilence = failing && typeof ev.after_silence === 'string' && ev.after_silence ? ` (${ev.after_silence})` : '';
    text = failing ? `Failing${afterSilence} since ${when(s.created_at.toISOString())}.` : `Passing again at ${when(s.created_at.toISOString())}.`;
    if (s.likely_cause) facts.push({ name: 'Likely cause', value: s.likely_cause });
    if (typeof ev.failing_count === 'number') facts.push({ name: 'Failing', value: String(ev.failing_count) });
    if (Array.isArray(ev.tenants) && ev.tenants.length) {
      const tenants = ev.tenants as { slug: string | null; id: string; count: number }[];
      facts.push({ name: 'Tenants', value: `${tenants.length}: ${tenants.slice(0, 5).map((t) => `${t.slug ?? t.id} (${t.count})`).join(', ')}${tenants.length > 5 ? ', …' : ''}` });
    }
    if (Array.isArray(ev.slots)) {
      const slots = (ev.slots as { slots?: unknown[] }[]).reduce((n, t) => n + (t.slots?.length ?? 0), 0);
      if (slots) facts.push({ name: 'Slots', value: String(slots) });
    }
    if (typeof ev.duration_s === 'number') facts.push({ name: 'Failed for', value: humanDuration(ev.duration_s * 1000) });
    if (Array.isArray(ev.sample) && ev.sample.length) evidence = excerpt(ev.sample.slice(0, 5).map((r) => JSON.stringify(r)).join('\n'));
    if (type === 'expectation') links.push({ label: 'Expectation (API)', url: `${publicUrl}/api/v1/expectations/${id}` });
  }
  return {
    tenantId: type === 'check' ? s.tenant_id : null,
    source: s.source,
    signalId: s.id,
    at: s.created_at,
    kind,
    severity: failing ? severityOf(s.severity) : 'info',
    title: s.summary,
    text,
    details: { state: failing ? 'failing' : 'recovered', facts, excerpt: evidence, links, dedup_key: `overdue-${s.source}` },
  };
}
