import type { SignalDraft } from '../signals/index.js';
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
      ...(failing && bodyHead(check.body) && { body_excerpt: bodyHead(check.body) }),
    },
    likelyCause: null,
    at: flip.at,
  };
}
