import { alertAfter, apiStatus, scheduleStart, type CheckTiming } from './status.js';
import type { PingKind, StoredStatus } from './table.js';

/** Everything about a check that pings and deadlines change. */
export interface CheckState extends CheckTiming {
  lastPing: Date | null;
  lastStartRid: string | null;
  lastDurationMs: bigint | null;
  nPings: bigint;
  hasConfirmationLink: boolean;
  recentOutcomes: string;
  failureThreshold: number;
  recoveryThreshold: number;
  manualResume: boolean;
  alertAfter: Date | null;
  rearmedAfterOutage: boolean;
}

export interface FlipDraft {
  oldStatus: StoredStatus;
  newStatus: StoredStatus;
  reason: '' | 'timeout' | 'fail';
  detail: string;
  /** When the change happened (the deadline, for timeouts). */
  at: Date;
  /** Flips that notify nobody (new→up, pause, resume) are stored already processed. */
  silent: boolean;
}

export interface PingInput {
  kind: PingKind;
  rid: string | null;
  /** Honoured for state on cron checks only. */
  scheduledFor: Date | null;
  bodyText: string;
}

function pushOutcome(state: CheckState, outcome: 's' | 'f' | 'm'): string {
  const keep = Math.max(state.failureThreshold, state.recoveryThreshold, 1);
  return (state.recentOutcomes + outcome).slice(-keep);
}

/** N consecutive non-successes (Sentry-style failure threshold; 1 = healthchecks). */
function reachedFailure(outcomes: string, n: number): boolean {
  const last = outcomes.slice(-n);
  return last.length >= n && !last.includes('s');
}

/** M consecutive successes, with no run still in progress (recovery threshold). */
function reachedRecovery(outcomes: string, m: number, runOpen: boolean): boolean {
  if (m <= 1) return outcomes.endsWith('s');
  const last = outcomes.slice(-m);
  return !runOpen && last.length >= m && /^s+$/.test(last);
}

/**
 * Applies one ping to a check (healthchecks' rules, ping-api.md §3, plus
 * thresholds and slot attribution). Returns the new state, the kind stored on
 * the ping, and a flip when the stored status changed.
 */
export function applyPing(state: CheckState, ping: PingInput, now: Date): { state: CheckState; kind: PingKind; flip?: FlipDraft } {
  let kind = ping.kind;
  if (state.status === 'paused' && state.manualResume) kind = 'ign';
  const next: CheckState = { ...state, nPings: state.nPings + 1n };
  if (/confirm/i.test(ping.bodyText)) next.hasConfirmationLink = true;
  let flip: FlipDraft | undefined;

  if (kind === 'start') {
    next.lastStart = now;
    next.lastStartRid = ping.rid;
  } else if (kind === null || kind === 'fail') {
    next.lastPing = now;
    next.lastDurationMs = null;
    if (state.lastStart) {
      if (ping.rid === state.lastStartRid) {
        next.lastDurationMs = BigInt(now.getTime() - state.lastStart.getTime());
        next.lastStart = null;
        next.lastStartRid = null;
      } else if (kind === 'fail' || ping.rid === null) {
        next.lastStart = null;
        next.lastStartRid = null;
      }
    }
    // The schedule counts from the slot this run served (cron + scheduled_for), else arrival; never backwards.
    const credited = state.kind === 'cron' && ping.scheduledFor ? ping.scheduledFor : now;
    next.referenceAt = state.referenceAt && state.referenceAt > credited ? state.referenceAt : credited;
    next.recentOutcomes = pushOutcome(state, kind === null ? 's' : 'f');
    next.rearmedAfterOutage = false;

    let newStatus: StoredStatus = state.status;
    if (kind === 'fail') {
      if (state.status !== 'down' && reachedFailure(next.recentOutcomes, state.failureThreshold)) newStatus = 'down';
    } else if (state.status !== 'down' || reachedRecovery(next.recentOutcomes, state.recoveryThreshold, next.lastStart !== null)) {
      newStatus = 'up';
    }
    if (newStatus !== state.status) {
      next.status = newStatus;
      flip = {
        oldStatus: state.status,
        newStatus,
        reason: newStatus === 'down' ? 'fail' : '',
        detail: '',
        at: now,
        silent: newStatus === 'up' && (state.status === 'new' || state.status === 'paused'),
      };
    }
  }
  next.alertAfter = alertAfter(next);
  return { state: next, kind, ...(flip && { flip }) };
}

/**
 * A check whose stored deadline has passed. Either the deadline was stale
 * (recompute it), or the check missed it: one more non-success outcome, and
 * down once the failure threshold is reached. Below the threshold the next
 * deadline counts from the missed slot, so each further miss is one more outcome.
 */
export function evaluateDeadline(state: CheckState, now: Date): { state: CheckState; flip?: FlipDraft } {
  if (state.status === 'down') return { state: { ...state, alertAfter: null } };
  // An open run never masks a missed schedule (healthchecks evaluates without `started`).
  const down = apiStatus(state, now).status === 'down';
  const deadline = alertAfter(state);
  if (!down || !deadline) return { state: { ...state, alertAfter: deadline } };

  const runTimedOut = state.lastStart !== null && now.getTime() >= state.lastStart.getTime() + state.graceS * 1000;
  const next: CheckState = { ...state, recentOutcomes: pushOutcome(state, 'm') };
  if (reachedFailure(next.recentOutcomes, state.failureThreshold)) {
    next.status = 'down';
    next.alertAfter = null;
    next.rearmedAfterOutage = false;
    return {
      state: next,
      flip: {
        oldStatus: state.status,
        newStatus: 'down',
        reason: 'timeout',
        detail: state.rearmedAfterOutage ? 'after monitor outage' : '',
        // After our own outage the enforced deadline is the re-armed one; we cannot vouch for earlier.
        at: state.rearmedAfterOutage && state.alertAfter ? state.alertAfter : deadline,
        silent: false,
      },
    };
  }
  if (runTimedOut) {
    next.lastStart = null;
    next.lastStartRid = null;
  } else {
    next.referenceAt = scheduleStart(state);
  }
  next.alertAfter = alertAfter(next);
  return { state: next };
}

export function pause(state: CheckState, now: Date): { state: CheckState; flip?: FlipDraft } {
  if (state.status === 'paused') return { state };
  const next: CheckState = { ...state, status: 'paused', lastStart: null, lastStartRid: null, alertAfter: null };
  return { state: next, flip: { oldStatus: state.status, newStatus: 'paused', reason: '', detail: '', at: now, silent: true } };
}

export function resume(state: CheckState, now: Date): { state: CheckState; flip: FlipDraft } | 'not_paused' {
  if (state.status !== 'paused') return 'not_paused';
  const next: CheckState = { ...state, status: 'new', lastPing: null, lastStart: null, lastStartRid: null, alertAfter: null, referenceAt: null };
  return { state: next, flip: { oldStatus: 'paused', newStatus: 'new', reason: '', detail: '', at: now, silent: true } };
}
