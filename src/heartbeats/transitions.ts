import { afterSilenceNote } from '../signals/index.js';
import { closeRun, markRunsLate, openRun, slowRunDeadline, tooFastText, tooSlowText } from './runs.js';
import { alertAfter, apiStatus, scheduleStart, type CheckTiming } from './status.js';
import type { FlipReason, OpenRuns, PingKind, StoredStatus } from './table.js';

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
  openRuns: OpenRuns;
  minDurationS: number | null;
  maxDurationS: number | null;
  pausedUntil: Date | null;
  silencedUntil: Date | null;
  silenceNote: string;
}

export interface FlipDraft {
  oldStatus: StoredStatus;
  newStatus: StoredStatus;
  reason: FlipReason;
  detail: string;
  /** When the change happened (the deadline, for timeouts). */
  at: Date;
  /** Flips that notify nobody (new→up, pause, resume) are stored already processed. */
  silent: boolean;
  /** The run a too_slow flip is about: how long it had been running (ms). */
  runMs?: number;
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
 * The stored deadline: the schedule's (status.ts `alertAfter`), the oldest open
 * run's max_duration, or a timed pause's end, whichever comes first.
 */
export function deadlineOf(state: CheckState): Date | null {
  if (state.status === 'down') return null;
  const candidates = [alertAfter(state)];
  if (state.status === 'paused') candidates.push(state.pausedUntil);
  else candidates.push(slowRunDeadline(state.openRuns, state.maxDurationS)?.at ?? null);
  return candidates.reduce<Date | null>((a, b) => (b && (!a || b < a) ? b : a), null);
}

/** A flip's detail: what happened, then what came before it (a silence, our own outage). */
const detailOf = (...parts: string[]) => parts.filter((p) => p !== '').join('; ');

/**
 * Applies one ping to a check (healthchecks' rules, ping-api.md §3, plus
 * thresholds, slot attribution and run durations). Returns the new state, the
 * kind stored on the ping, the duration of the run it closed (if any), and a
 * flip when the stored status changed. A success closing a run shorter than
 * `min_duration` counts as a failure (reason `too_fast`).
 */
export function applyPing(
  state: CheckState,
  ping: PingInput,
  now: Date,
): { state: CheckState; kind: PingKind; durationMs: bigint | null; flip?: FlipDraft } {
  let kind = ping.kind;
  if (state.status === 'paused' && state.manualResume) kind = 'ign';
  const next: CheckState = { ...state, nPings: state.nPings + 1n };
  if (/confirm/i.test(ping.bodyText)) next.hasConfirmationLink = true;
  let flip: FlipDraft | undefined;
  let durationMs: bigint | null = null;

  if (kind === 'start') {
    next.lastStart = now;
    next.lastStartRid = ping.rid;
    next.openRuns = openRun(state.openRuns, ping.rid, now);
  } else if (kind === null || kind === 'fail') {
    const closed = closeRun(state.openRuns, ping.rid, now);
    durationMs = closed.durationMs;
    next.openRuns = closed.runs;
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
    const tooFast = kind === null && durationMs !== null && state.minDurationS !== null && durationMs < BigInt(state.minDurationS * 1000);
    const failed = kind === 'fail' || tooFast;
    // The schedule counts from the slot this run served (cron + scheduled_for), else arrival; never backwards.
    const credited = state.kind === 'cron' && ping.scheduledFor ? ping.scheduledFor : now;
    next.referenceAt = state.referenceAt && state.referenceAt > credited ? state.referenceAt : credited;
    next.recentOutcomes = pushOutcome(state, failed ? 'f' : 's');
    next.rearmedAfterOutage = false;
    // A good run proves the job alive again: what came before no longer explains a later failure.
    if (!failed) next.silenceNote = '';
    // A good run needs no hold: its schedule counts from this ping; a deadline that falls in a
    // window still in progress is held again by the evaluator.
    if (!failed) next.silencedUntil = null;

    let newStatus: StoredStatus = state.status;
    if (failed) {
      if (state.status !== 'down' && reachedFailure(next.recentOutcomes, state.failureThreshold)) newStatus = 'down';
    } else if (state.status !== 'down' || reachedRecovery(next.recentOutcomes, state.recoveryThreshold, next.lastStart !== null)) {
      newStatus = 'up';
    }
    if (newStatus !== state.status) {
      next.status = newStatus;
      if (state.status === 'paused') next.pausedUntil = null;
      const down = newStatus === 'down';
      flip = {
        oldStatus: state.status,
        newStatus,
        reason: down ? (tooFast ? 'too_fast' : 'fail') : '',
        detail: down ? detailOf(tooFast ? tooFastText(Number(durationMs), state.minDurationS!) : '', state.silenceNote) : '',
        at: now,
        silent: newStatus === 'up' && (state.status === 'new' || state.status === 'paused'),
      };
      if (down) next.silenceNote = '';
    }
  }
  next.alertAfter = deadlineOf(next);
  return { state: next, kind, durationMs, ...(flip && { flip }) };
}

/**
 * A down flip that arrives while a maintenance window holds the check: the
 * status stays, the outcome is kept, and the evaluator takes the check up again
 * when the window ends (fresh period, see `evaluateDeadline`).
 */
export function holdForSilence(state: CheckState, held: CheckState, until: Date): CheckState {
  return { ...held, status: state.status, silencedUntil: until, alertAfter: until };
}

/**
 * A check whose stored deadline has passed. In order: a timed pause that has
 * ended resumes the check; a maintenance window in progress (`silence`, its
 * end) holds the deadline until the window ends; a window that has ended gives
 * the check one fresh period plus grace; an open run past `max_duration` is one
 * more non-success (reason `too_slow`). Otherwise the deadline was stale
 * (recompute it), or the check missed it: one more non-success outcome, and
 * down once the failure threshold is reached. Below the threshold the next
 * deadline counts from the missed slot, so each further miss is one more outcome.
 */
export function evaluateDeadline(state: CheckState, now: Date, silence?: { until: Date }): { state: CheckState; flip?: FlipDraft } {
  if (state.status === 'down') return { state: { ...state, alertAfter: null } };
  if (state.status === 'paused' && state.pausedUntil && now >= state.pausedUntil) return resumeAfterPause(state);
  if (state.status !== 'paused') {
    const held = evaluateSilencesAndRuns(state, now, silence);
    if (held) return held;
  }

  // An open run never masks a missed schedule (healthchecks evaluates without `started`).
  const down = apiStatus(state, now).status === 'down';
  const deadline = alertAfter(state);
  if (!down || !deadline) return { state: { ...state, alertAfter: deadlineOf(state) } };

  const runTimedOut = state.lastStart !== null && now.getTime() >= state.lastStart.getTime() + state.graceS * 1000;
  const next: CheckState = { ...state, recentOutcomes: pushOutcome(state, 'm') };
  if (reachedFailure(next.recentOutcomes, state.failureThreshold)) {
    next.status = 'down';
    next.alertAfter = null;
    next.rearmedAfterOutage = false;
    next.silenceNote = '';
    return {
      state: next,
      flip: {
        oldStatus: state.status,
        newStatus: 'down',
        reason: 'timeout',
        detail: detailOf(state.rearmedAfterOutage ? 'after monitor outage' : '', state.silenceNote),
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
  next.alertAfter = deadlineOf(next);
  return { state: next };
}

/** The silence and run-length steps of `evaluateDeadline`; undefined when none applies. */
function evaluateSilencesAndRuns(state: CheckState, now: Date, silence: { until: Date } | undefined): { state: CheckState; flip?: FlipDraft } | undefined {
  if (silence) return { state: { ...state, silencedUntil: silence.until, alertAfter: silence.until } };
  if (state.silencedUntil && now >= state.silencedUntil) {
    const ended = state.silencedUntil;
    const next: CheckState = {
      ...state,
      ...freshPeriod(state, ended),
      silencedUntil: null,
      silenceNote: afterSilenceNote('maintenance window', ended),
    };
    return { state: { ...next, alertAfter: deadlineOf(next) } };
  }

  const slow = slowRunDeadline(state.openRuns, state.maxDurationS);
  if (slow && now >= slow.at) {
    const next: CheckState = {
      ...state,
      openRuns: { ...state.openRuns, [slow.key]: { at: slow.startedAt.toISOString(), late: true } },
      recentOutcomes: pushOutcome(state, 'm'),
    };
    if (reachedFailure(next.recentOutcomes, state.failureThreshold)) {
      const flip: FlipDraft = {
        oldStatus: state.status,
        newStatus: 'down',
        reason: 'too_slow',
        detail: detailOf(tooSlowText(now.getTime() - slow.startedAt.getTime(), state.maxDurationS!), state.silenceNote),
        at: slow.at,
        silent: false,
        runMs: now.getTime() - slow.startedAt.getTime(),
      };
      return { state: { ...next, status: 'down', alertAfter: null, rearmedAfterOutage: false, silenceNote: '' }, flip };
    }
    return { state: { ...next, alertAfter: deadlineOf(next) } };
  }

  return undefined;
}

/** After a silence ending at `end`: the schedule counts from the end, no run is held against the check, no outcome either. */
function freshPeriod(state: CheckState, end: Date): Partial<CheckState> {
  return {
    // Never backwards: a ping after the end (before the evaluator got to it) counts from itself.
    referenceAt: state.status === 'up' && (!state.referenceAt || state.referenceAt < end) ? end : state.referenceAt,
    lastStart: null,
    lastStartRid: null,
    openRuns: markRunsLate(state.openRuns),
    recentOutcomes: '',
    rearmedAfterOutage: false,
  };
}

/** A timed pause has ended: the check is up again (new, if it never pinged), with a fresh period from the pause's end. */
function resumeAfterPause(state: CheckState): { state: CheckState; flip: FlipDraft } {
  const end = state.pausedUntil!;
  const status: StoredStatus = state.lastPing ? 'up' : 'new';
  const next: CheckState = {
    ...state,
    ...freshPeriod({ ...state, status }, end),
    status,
    pausedUntil: null,
    silenceNote: afterSilenceNote('pause', end),
  };
  return { state: { ...next, alertAfter: deadlineOf(next) }, flip: { oldStatus: 'paused', newStatus: status, reason: '', detail: 'pause ended', at: end, silent: true } };
}

/** Pauses a check, until `until` when given (it then resumes by itself); pausing a paused check sets its end anew. */
export function pause(state: CheckState, now: Date, until: Date | null = null): { state: CheckState; flip?: FlipDraft } {
  if (state.status === 'paused') {
    if (until === state.pausedUntil || (until && state.pausedUntil && until.getTime() === state.pausedUntil.getTime())) return { state };
    return { state: { ...state, pausedUntil: until, alertAfter: until } };
  }
  const next: CheckState = { ...state, status: 'paused', lastStart: null, lastStartRid: null, openRuns: {}, pausedUntil: until, silencedUntil: null, alertAfter: until };
  return { state: next, flip: { oldStatus: state.status, newStatus: 'paused', reason: '', detail: '', at: now, silent: true } };
}

export function resume(state: CheckState, now: Date): { state: CheckState; flip: FlipDraft } | 'not_paused' {
  if (state.status !== 'paused') return 'not_paused';
  const next: CheckState = { ...state, status: 'new', lastPing: null, lastStart: null, lastStartRid: null, openRuns: {}, pausedUntil: null, alertAfter: null, referenceAt: null };
  return { state: next, flip: { oldStatus: 'paused', newStatus: 'new', reason: '', detail: '', at: now, silent: true } };
}
