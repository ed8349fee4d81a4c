import type { SignalDraft } from '../signals/index.js';
import { seconds, summarizeDurations } from './runs.js';
import type { FlipDraft } from './transitions.js';

export interface FlippedCheck {
  id: string;
  tenantId: string | null;
  name: string;
  slug: string;
  tags: string;
  lastPing: Date | null;
  /** When the missed ping was due (deadline flips). */
  expectedAt?: Date | null;
  /** The last ping's body as text, for the private alert's evidence. */
  body?: string | null;
  /** The last run's duration (ms): the run that closed, or how long the open run had been going. */
  lastDurationMs?: number | null;
  /** Recent closed runs (ms), for the usual range. */
  recentDurationsMs?: number[];
}

/** Enough of the last ping body for the alert's 1 KB excerpt (alerting cuts it on a character boundary). */
const bodyHead = (text: string | null | undefined) => (text ? text.slice(0, 2048) : null);

/**
 * The signal a flip publishes: going down is `failing`, coming back up from
 * down is `recovered`; silent flips (new → up, pause, resume) and other
 * changes say nothing. Source `check:<id>`.
 */
export function flipSignal(check: FlippedCheck, flip: FlipDraft): SignalDraft | undefined {
  if (flip.silent) return undefined;
  const failing = flip.newStatus === 'down';
  if (!failing && !(flip.newStatus === 'up' && flip.oldStatus === 'down')) return undefined;
  const label = check.name || check.slug || check.id;
  return {
    source: `check:${check.id}`,
    kind: failing ? 'failing' : 'recovered',
    tenantId: check.tenantId,
    component: null,
    severity: 'major',
    summary: failing ? `Heartbeat ${label} is down${flip.detail !== '' ? ` (${flip.detail})` : ''}` : `Heartbeat ${label} is up again`,
    // The private alert's evidence (alerting shows it; public text never does).
    evidence: {
      check_id: check.id,
      name: check.name,
      tags: check.tags,
      reason: flip.reason,
      flipped_at: flip.at.toISOString(),
      last_ping_at: check.lastPing?.toISOString() ?? null,
      ...(failing && check.expectedAt && { expected_at: check.expectedAt.toISOString() }),
      ...(failing && flip.detail !== '' && { detail: flip.detail }),
      ...(failing && check.lastDurationMs != null && { last_duration_s: seconds(check.lastDurationMs) }),
      ...(failing && usualRange(check.recentDurationsMs)),
      ...(failing && bodyHead(check.body) && { body_excerpt: bodyHead(check.body) }),
    },
    likelyCause: null,
    at: flip.at,
  };
}

/** p50–p90 of recent runs (seconds), once there are enough runs to speak of a usual range. */
function usualRange(durationsMs: number[] | undefined): { usual_duration_s: { p50: number; p90: number; count: number } } | undefined {
  if (!durationsMs || durationsMs.length < 2) return undefined;
  const s = summarizeDurations(durationsMs);
  return { usual_duration_s: { p50: s.p50!, p90: s.p90!, count: s.count } };
}
