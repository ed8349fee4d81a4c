import type { SignalDraft } from '../signals/index.js';
import type { FlipDraft } from './transitions.js';

export interface FlippedCheck {
  id: string;
  tenantId: string | null;
  name: string;
  slug: string;
}

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
    evidence: { check_id: check.id, reason: flip.reason, flipped_at: flip.at.toISOString() },
    likelyCause: null,
    at: flip.at,
  };
}
