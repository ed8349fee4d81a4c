import { describe, expect, it } from 'vitest';
import { alertAfter, statusAt } from '../../src/heartbeats/status.js';
import type { PingKind } from '../../src/heartbeats/table.js';
import { applyPing, evaluateDeadline, pause, resume, type CheckState, type PingInput } from '../../src/heartbeats/transitions.js';
import { ms, s, T0, timing } from './fixtures.js';

// ping-api.md §3 (state changes per action), §7 (deadlines), §8 (evaluator), §9 (pause/resume),
// §12 (scheduled_for, thresholds, unknown-not-down).

const utc = (iso: string) => new Date(iso);

const R1 = '11111111-1111-4111-8111-111111111111';
const R2 = '22222222-2222-4222-8222-222222222222';

/**
 * An up simple check last pinged at T0: timeout 60 s, grace 30 s, so the deadline is T0+60 s and
 * it goes down at T0+90 s. `alertAfter` is derived unless given.
 */
function check(overrides: Partial<CheckState> = {}): CheckState {
  const base: CheckState = {
    ...timing(),
    lastPing: T0,
    lastStartRid: null,
    lastDurationMs: null,
    nPings: 5n,
    hasConfirmationLink: false,
    recentOutcomes: 's',
    failureThreshold: 1,
    recoveryThreshold: 1,
    manualResume: false,
    alertAfter: null,
    rearmedAfterOutage: false,
    openRuns: {},
    minDurationS: null,
    maxDurationS: null,
    pausedUntil: null,
    silencedUntil: null,
    silenceNote: '',
    ...overrides,
  };
  return 'alertAfter' in overrides ? base : { ...base, alertAfter: alertAfter(base) };
}

/** A new check that has never been pinged. */
function fresh(overrides: Partial<CheckState> = {}): CheckState {
  return check({ status: 'new', referenceAt: null, lastPing: null, recentOutcomes: '', nPings: 0n, ...overrides });
}

/** An up cron check, hourly in UTC, grace 10 min. */
function hourly(overrides: Partial<CheckState> = {}): CheckState {
  return check({ kind: 'cron', schedule: '0 * * * *', tz: 'UTC', graceS: 600, ...overrides });
}

function ping(kind: PingKind, extra: Partial<PingInput> = {}): PingInput {
  return { kind, rid: null, scheduledFor: null, bodyText: '', ...extra };
}
const success = (extra: Partial<PingInput> = {}) => ping(null, extra);
const fail = (extra: Partial<PingInput> = {}) => ping('fail', extra);
const start = (extra: Partial<PingInput> = {}) => ping('start', extra);

describe('applyPing: start', () => {
  it('sets last_start and its rid, leaving status, last_ping and the schedule alone', () => {
    const before = check();
    const now = s(T0, 20);
    const { state, kind, flip } = applyPing(before, start({ rid: R1 }), now);
    expect(kind).toBe('start');
    expect(flip).toBeUndefined();
    expect(state.lastStart).toEqual(now);
    expect(state.lastStartRid).toBe(R1);
    expect(state.status).toBe('up');
    expect(state.lastPing).toEqual(T0);
    expect(state.referenceAt).toEqual(T0);
    expect(state.recentOutcomes).toBe(before.recentOutcomes);
    expect(state.nPings).toBe(6n);
    // The open run's deadline (T0+20 s + grace) is earlier than the schedule's (T0+60 s + grace).
    expect(state.alertAfter).toEqual(s(T0, 50));
  });

  it('a start after the schedule deadline does not extend alert_after', () => {
    const { state } = applyPing(check(), start(), s(T0, 70));
    expect(state.alertAfter).toEqual(s(T0, 90));
  });

  it('a start on a new check arms alert_after = last_start + grace; on a down check nothing', () => {
    expect(applyPing(fresh(), start(), s(T0, 5)).state.alertAfter).toEqual(s(T0, 35));
    const down = applyPing(check({ status: 'down' }), start(), s(T0, 5));
    expect(down.state.alertAfter).toBeNull();
    expect(down.state.status).toBe('down');
    expect(down.flip).toBeUndefined();
  });

  it('does not mutate the state it was given', () => {
    const before = check();
    const copy = { ...before };
    applyPing(before, start({ rid: R1 }), s(T0, 20));
    applyPing(before, fail(), s(T0, 20));
    expect(before).toEqual(copy);
  });
});

describe('applyPing: closing a run', () => {
  const started = (rid: string | null) => check({ lastStart: s(T0, 20), lastStartRid: rid });

  it('success with the same rid records the duration and clears the start', () => {
    const now = s(T0, 50);
    const { state, flip } = applyPing(started(R1), success({ rid: R1 }), now);
    expect(state.lastDurationMs).toBe(30_000n);
    expect(state.lastStart).toBeNull();
    expect(state.lastStartRid).toBeNull();
    expect(state.lastPing).toEqual(now);
    expect(state.status).toBe('up');
    expect(flip).toBeUndefined();
  });

  it('two absent rids count as equal', () => {
    const { state } = applyPing(started(null), success(), s(T0, 45));
    expect(state.lastDurationMs).toBe(25_000n);
    expect(state.lastStart).toBeNull();
  });

  it('fail with the same rid records the duration too', () => {
    const { state } = applyPing(started(R1), fail({ rid: R1 }), s(T0, 50));
    expect(state.lastDurationMs).toBe(30_000n);
    expect(state.lastStart).toBeNull();
    expect(state.status).toBe('down');
  });

  it('fail with a different rid clears the start without a duration', () => {
    const { state, flip } = applyPing(started(R1), fail({ rid: R2 }), s(T0, 50));
    expect(state.lastStart).toBeNull();
    expect(state.lastStartRid).toBeNull();
    expect(state.lastDurationMs).toBeNull();
    expect(state.lastPing).toEqual(s(T0, 50));
    expect(state.status).toBe('down');
    expect(flip?.reason).toBe('fail');
  });

  it('fail without a rid clears a start that had one, without a duration', () => {
    const { state } = applyPing(started(R1), fail(), s(T0, 50));
    expect(state.lastStart).toBeNull();
    expect(state.lastDurationMs).toBeNull();
  });

  it('success with a different rid keeps the start: that run is still going', () => {
    const now = s(T0, 50);
    const { state } = applyPing(started(R1), success({ rid: R2 }), now);
    expect(state.lastStart).toEqual(s(T0, 20));
    expect(state.lastStartRid).toBe(R1);
    expect(state.lastDurationMs).toBeNull();
    expect(state.lastPing).toEqual(now);
    expect(state.status).toBe('up');
  });

  it('success with a rid keeps a start that had none (different rids)', () => {
    const { state } = applyPing(started(null), success({ rid: R2 }), s(T0, 50));
    expect(state.lastStart).toEqual(s(T0, 20));
    expect(state.lastDurationMs).toBeNull();
  });

  it('success without a rid clears a start that had one, without a duration', () => {
    const { state } = applyPing(started(R1), success(), s(T0, 50));
    expect(state.lastStart).toBeNull();
    expect(state.lastStartRid).toBeNull();
    expect(state.lastDurationMs).toBeNull();
  });

  it('success or fail without an open start resets last_duration', () => {
    expect(applyPing(check({ lastDurationMs: 1234n }), success(), s(T0, 50)).state.lastDurationMs).toBeNull();
    expect(applyPing(check({ lastDurationMs: 1234n }), fail(), s(T0, 50)).state.lastDurationMs).toBeNull();
  });
});

describe('applyPing: status and flips', () => {
  it('new → up is silent', () => {
    const now = s(T0, 5);
    const { state, flip } = applyPing(fresh(), success(), now);
    expect(state.status).toBe('up');
    expect(flip).toEqual({ oldStatus: 'new', newStatus: 'up', reason: '', detail: '', at: now, silent: true });
    expect(state.lastPing).toEqual(now);
    expect(state.alertAfter).toEqual(s(now, 90));
  });

  it("up → down on fail, reason 'fail', notifies", () => {
    const now = s(T0, 30);
    const { state, flip } = applyPing(check(), fail(), now);
    expect(state.status).toBe('down');
    expect(flip).toEqual({ oldStatus: 'up', newStatus: 'down', reason: 'fail', detail: '', at: now, silent: false });
    expect(state.alertAfter).toBeNull();
  });

  it("new → down on fail, reason 'fail'", () => {
    const { flip } = applyPing(fresh(), fail(), s(T0, 30));
    expect(flip).toMatchObject({ oldStatus: 'new', newStatus: 'down', reason: 'fail', silent: false });
  });

  it("down → up on success, reason '', notifies", () => {
    const now = s(T0, 500);
    const { state, flip } = applyPing(check({ status: 'down', recentOutcomes: 'f' }), success(), now);
    expect(state.status).toBe('up');
    expect(flip).toEqual({ oldStatus: 'down', newStatus: 'up', reason: '', detail: '', at: now, silent: false });
    expect(state.alertAfter).toEqual(s(now, 90));
  });

  it('paused without manual_resume goes up on success, silently', () => {
    const { state, flip } = applyPing(check({ status: 'paused' }), success(), s(T0, 5));
    expect(state.status).toBe('up');
    expect(flip).toMatchObject({ oldStatus: 'paused', newStatus: 'up', reason: '', silent: true });
  });

  it('repeated success on an up check makes no flip', () => {
    const first = applyPing(check(), success(), s(T0, 30));
    expect(first.flip).toBeUndefined();
    const second = applyPing(first.state, success(), s(T0, 60));
    expect(second.flip).toBeUndefined();
    expect(second.state.status).toBe('up');
    expect(second.state.referenceAt).toEqual(s(T0, 60));
  });

  it('fail on a down check makes no flip', () => {
    const { state, flip } = applyPing(check({ status: 'down', recentOutcomes: 'f' }), fail(), s(T0, 30));
    expect(flip).toBeUndefined();
    expect(state.status).toBe('down');
  });

  it('a success moves the simple deadline to now + timeout', () => {
    const now = s(T0, 45);
    const { state } = applyPing(check(), success(), now);
    expect(state.referenceAt).toEqual(now);
    expect(state.alertAfter).toEqual(s(now, 90));
    expect(statusAt(state, s(now, 59))).toBe('up');
  });
});

describe('applyPing: log, ign, paused with manual_resume', () => {
  it('log and ign change nothing but n_pings', () => {
    const before = check({ lastStart: s(T0, 20), lastStartRid: R1, lastDurationMs: 999n, recentOutcomes: 'fs' });
    for (const kind of ['log', 'ign'] as const) {
      const { state, kind: stored, flip } = applyPing(before, ping(kind, { rid: R1, bodyText: 'hello' }), s(T0, 50));
      expect(stored).toBe(kind);
      expect(flip).toBeUndefined();
      expect(state).toEqual({ ...before, nPings: before.nPings + 1n });
    }
  });

  it('log and ign on a new or down check change nothing either', () => {
    for (const before of [fresh(), check({ status: 'down', recentOutcomes: 'f' })]) {
      for (const kind of ['log', 'ign'] as const) {
        const { state, flip } = applyPing(before, ping(kind), s(T0, 50));
        expect(flip).toBeUndefined();
        expect(state).toEqual({ ...before, nPings: before.nPings + 1n });
      }
    }
  });

  it("a paused check with manual_resume stores every ping as 'ign' and changes nothing", () => {
    const before = check({ status: 'paused', manualResume: true, alertAfter: null });
    for (const kind of [null, 'fail', 'start', 'log'] as const) {
      const { state, kind: stored, flip } = applyPing(before, ping(kind, { rid: R1 }), s(T0, 50));
      expect(stored).toBe('ign');
      expect(flip).toBeUndefined();
      expect(state).toEqual({ ...before, nPings: before.nPings + 1n });
    }
  });

  it("'confirm' anywhere in the body, in any case, sets has_confirmation_link", () => {
    expect(applyPing(check(), ping('log', { bodyText: 'Please CONFIRM your subscription' }), T0).state.hasConfirmationLink).toBe(true);
    expect(applyPing(check(), success({ bodyText: 'click to confirm' }), T0).state.hasConfirmationLink).toBe(true);
    expect(applyPing(check(), ping('ign', { bodyText: 'Confirmation needed' }), T0).state.hasConfirmationLink).toBe(true);
    expect(applyPing(check(), success({ bodyText: 'all good' }), T0).state.hasConfirmationLink).toBe(false);
    // Once set, it stays set.
    expect(applyPing(check({ hasConfirmationLink: true }), success({ bodyText: 'all good' }), T0).state.hasConfirmationLink).toBe(true);
  });
});

describe('applyPing: scheduled_for on cron checks', () => {
  it('an early run credited to its slot covers that slot', () => {
    // Last run covered 09:00; the 10:00 run starts early and reports at 09:59:50 for the 10:00 slot.
    const before = hourly({ referenceAt: utc('2025-06-01T09:00:05Z') });
    const { state } = applyPing(before, success({ scheduledFor: utc('2025-06-01T10:00:00Z') }), utc('2025-06-01T09:59:50Z'));
    expect(state.referenceAt).toEqual(utc('2025-06-01T10:00:00Z'));
    expect(state.alertAfter).toEqual(utc('2025-06-01T11:10:00Z'));
    // Without scheduled_for it counts for the 09:00 slot, so 10:00 is due next (healthchecks).
    const plain = applyPing(before, success(), utc('2025-06-01T09:59:50Z')).state;
    expect(plain.referenceAt).toEqual(utc('2025-06-01T09:59:50Z'));
    expect(plain.alertAfter).toEqual(utc('2025-06-01T10:10:00Z'));
  });

  it('a late run for an old slot does not cover newer ones', () => {
    const before = hourly({ referenceAt: utc('2025-06-01T08:00:10Z') });
    const now = utc('2025-06-01T10:30:00Z');
    const { state } = applyPing(before, success({ scheduledFor: utc('2025-06-01T09:00:00Z') }), now);
    expect(state.referenceAt).toEqual(utc('2025-06-01T09:00:00Z'));
    expect(state.alertAfter).toEqual(utc('2025-06-01T10:10:00Z'));
    expect(statusAt(state, now)).toBe('down');
  });

  it('the reference never moves backwards', () => {
    const before = hourly({ referenceAt: utc('2025-06-01T10:00:00Z') });
    const older = applyPing(before, success({ scheduledFor: utc('2025-06-01T09:00:00Z') }), utc('2025-06-01T10:30:00Z'));
    expect(older.state.referenceAt).toEqual(utc('2025-06-01T10:00:00Z'));
    expect(older.state.alertAfter).toEqual(utc('2025-06-01T11:10:00Z'));
    // A plain ping that arrives before the credited slot does not pull it back either.
    const early = applyPing(before, success(), utc('2025-06-01T09:59:55Z'));
    expect(early.state.referenceAt).toEqual(utc('2025-06-01T10:00:00Z'));
  });

  it('is ignored for state on simple checks', () => {
    const now = s(T0, 30);
    const { state } = applyPing(check(), success({ scheduledFor: s(T0, 3600) }), now);
    expect(state.referenceAt).toEqual(now);
    expect(state.alertAfter).toEqual(s(now, 90));
  });
});

describe('applyPing: failure and recovery thresholds', () => {
  it('failure_threshold 3 needs 3 consecutive non-successes', () => {
    let state = check({ failureThreshold: 3 });
    for (const [i, expectFlip] of [[1, false], [2, false], [3, true]] as const) {
      const result = applyPing(state, fail(), s(T0, i * 10));
      state = result.state;
      if (expectFlip) {
        expect(result.flip).toMatchObject({ oldStatus: 'up', newStatus: 'down', reason: 'fail' });
        expect(state.status).toBe('down');
      } else {
        expect(result.flip).toBeUndefined();
        expect(state.status).toBe('up');
      }
    }
  });

  it('a success in between starts the count again', () => {
    let state = check({ failureThreshold: 3 });
    const kinds: PingKind[] = ['fail', 'fail', null, 'fail', 'fail'];
    kinds.forEach((kind, i) => {
      const result = applyPing(state, ping(kind), s(T0, (i + 1) * 10));
      expect(result.flip).toBeUndefined();
      state = result.state;
    });
    expect(state.status).toBe('up');
    const third = applyPing(state, fail(), s(T0, 60));
    expect(third.flip).toMatchObject({ newStatus: 'down', reason: 'fail' });
  });

  it('missed deadlines count as non-successes too', () => {
    let state = check({ failureThreshold: 3 });
    state = applyPing(state, fail(), s(T0, 10)).state;
    state = applyPing(state, fail(), s(T0, 20)).state;
    expect(state.status).toBe('up');
    const deadline = state.alertAfter!;
    const { state: after, flip } = evaluateDeadline(state, deadline);
    expect(flip).toMatchObject({ oldStatus: 'up', newStatus: 'down', reason: 'timeout', at: deadline });
    expect(after.status).toBe('down');
  });

  it('recovery_threshold 2 needs 2 successes', () => {
    const down = check({ status: 'down', recentOutcomes: 'f', recoveryThreshold: 2 });
    const first = applyPing(down, success(), s(T0, 10));
    expect(first.flip).toBeUndefined();
    expect(first.state.status).toBe('down');
    const second = applyPing(first.state, success(), s(T0, 20));
    expect(second.flip).toEqual({ oldStatus: 'down', newStatus: 'up', reason: '', detail: '', at: s(T0, 20), silent: false });
    expect(second.state.status).toBe('up');
  });

  it('recovery_threshold 2: a fail in between starts the count again', () => {
    let state = check({ status: 'down', recentOutcomes: 'f', recoveryThreshold: 2 });
    const kinds: PingKind[] = [null, 'fail', null];
    kinds.forEach((kind, i) => {
      const result = applyPing(state, ping(kind), s(T0, (i + 1) * 10));
      expect(result.flip).toBeUndefined();
      state = result.state;
    });
    expect(state.status).toBe('down');
    expect(applyPing(state, success(), s(T0, 40)).state.status).toBe('up');
  });

  it('recovery_threshold 2: a run still in progress counts as not yet a success', () => {
    // Run R1 is open; a success for another run R2 leaves it open, so the check stays down.
    let state = check({ status: 'down', recentOutcomes: 's', recoveryThreshold: 2, lastStart: s(T0, 5), lastStartRid: R1 });
    const other = applyPing(state, success({ rid: R2 }), s(T0, 10));
    expect(other.state.lastStart).toEqual(s(T0, 5));
    expect(other.flip).toBeUndefined();
    state = other.state;
    const closing = applyPing(state, success({ rid: R1 }), s(T0, 20));
    expect(closing.flip).toMatchObject({ oldStatus: 'down', newStatus: 'up' });
  });
});

describe('evaluateDeadline', () => {
  it('a stale deadline is just recomputed', () => {
    // A ping at T0+80 s moved the deadline to T0+170 s; the stored alert_after (T0+90 s) is stale.
    const stale = check({ referenceAt: s(T0, 80), lastPing: s(T0, 80), alertAfter: s(T0, 90) });
    const { state, flip } = evaluateDeadline(stale, s(T0, 95));
    expect(flip).toBeUndefined();
    expect(state).toEqual({ ...stale, alertAfter: s(T0, 170) });
  });

  it('one ms before the deadline nothing happens; at the deadline the check goes down', () => {
    const before = check();
    const early = evaluateDeadline(before, ms(s(T0, 90), -1));
    expect(early.flip).toBeUndefined();
    expect(early.state).toEqual(before);
    expect(evaluateDeadline(before, s(T0, 90)).flip).toMatchObject({ newStatus: 'down', reason: 'timeout' });
  });

  it("a missed deadline with threshold 1 goes down, reason 'timeout', at the deadline rather than now", () => {
    const { state, flip } = evaluateDeadline(check(), s(T0, 300));
    expect(flip).toEqual({ oldStatus: 'up', newStatus: 'down', reason: 'timeout', detail: '', at: s(T0, 90), silent: false });
    expect(state.status).toBe('down');
    expect(state.alertAfter).toBeNull();
    expect(state.recentOutcomes.endsWith('m')).toBe(true);
  });

  it('a cron check goes down at its fire time + grace', () => {
    const cronCheck = hourly({ referenceAt: utc('2025-06-01T09:30:00Z') });
    const { flip } = evaluateDeadline(cronCheck, utc('2025-06-01T10:12:00Z'));
    expect(flip).toMatchObject({ oldStatus: 'up', newStatus: 'down', reason: 'timeout', at: utc('2025-06-01T10:10:00Z') });
  });

  it('below the failure threshold: records the miss and moves on from the missed slot (simple)', () => {
    // Deadlines: expected T0+60 s → alert T0+90 s; then T0+120 s → T0+150 s; then T0+180 s → T0+210 s.
    let state = check({ failureThreshold: 3 });
    const first = evaluateDeadline(state, s(T0, 90));
    expect(first.flip).toBeUndefined();
    expect(first.state.status).toBe('up');
    expect(first.state.recentOutcomes).toBe('sm');
    expect(first.state.referenceAt).toEqual(s(T0, 60));
    expect(first.state.alertAfter).toEqual(s(T0, 150));
    state = first.state;

    const second = evaluateDeadline(state, s(T0, 150));
    expect(second.flip).toBeUndefined();
    expect(second.state.recentOutcomes).toBe('smm');
    expect(second.state.alertAfter).toEqual(s(T0, 210));
    state = second.state;

    const third = evaluateDeadline(state, s(T0, 215));
    expect(third.flip).toEqual({ oldStatus: 'up', newStatus: 'down', reason: 'timeout', detail: '', at: s(T0, 210), silent: false });
    expect(third.state.status).toBe('down');
  });

  it('below the failure threshold: the next cron deadline is the fire time after the missed one', () => {
    const cronCheck = hourly({ referenceAt: utc('2025-06-01T09:30:00Z'), failureThreshold: 2 });
    expect(cronCheck.alertAfter).toEqual(utc('2025-06-01T10:10:00Z'));
    const { state, flip } = evaluateDeadline(cronCheck, utc('2025-06-01T10:10:00Z'));
    expect(flip).toBeUndefined();
    expect(state.referenceAt).toEqual(utc('2025-06-01T10:00:00Z'));
    expect(state.alertAfter).toEqual(utc('2025-06-01T11:10:00Z'));
  });

  it("a check re-armed after a monitor outage goes down with detail 'after monitor outage'", () => {
    const rearmed = check({ rearmedAfterOutage: true });
    const { state, flip } = evaluateDeadline(rearmed, s(T0, 90));
    expect(flip).toMatchObject({ newStatus: 'down', reason: 'timeout', detail: 'after monitor outage' });
    expect(state.rearmedAfterOutage).toBe(false);
  });

  it('a run that outlives its grace goes down (start on a new check)', () => {
    const started = fresh({ lastStart: s(T0, 5), lastStartRid: R1 });
    expect(started.alertAfter).toEqual(s(T0, 35));
    expect(evaluateDeadline(started, ms(s(T0, 35), -1)).flip).toBeUndefined();
    const { state, flip } = evaluateDeadline(started, s(T0, 35));
    expect(flip).toEqual({ oldStatus: 'new', newStatus: 'down', reason: 'timeout', detail: '', at: s(T0, 35), silent: false });
    expect(state.status).toBe('down');
  });

  it('a run that outlives its grace goes down (start on an up check, before the schedule deadline)', () => {
    const started = check({ lastStart: s(T0, 10) });
    const { flip } = evaluateDeadline(started, s(T0, 40));
    expect(flip).toMatchObject({ oldStatus: 'up', newStatus: 'down', reason: 'timeout', at: s(T0, 40) });
  });

  it('a run that outlives its grace goes down (start on a paused check without manual_resume)', () => {
    const started = check({ status: 'paused', lastStart: s(T0, 10) });
    const { flip } = evaluateDeadline(started, s(T0, 40));
    expect(flip).toMatchObject({ oldStatus: 'paused', newStatus: 'down', reason: 'timeout', at: s(T0, 40) });
  });

  it('a run timeout below the threshold clears the run and falls back to the schedule deadline', () => {
    const started = check({ lastStart: s(T0, 10), lastStartRid: R1, failureThreshold: 2 });
    const { state, flip } = evaluateDeadline(started, s(T0, 40));
    expect(flip).toBeUndefined();
    expect(state.lastStart).toBeNull();
    expect(state.lastStartRid).toBeNull();
    expect(state.recentOutcomes).toBe('sm');
    expect(state.alertAfter).toEqual(s(T0, 90));
  });

  it('a start during the grace period does not postpone going down at the schedule deadline + grace', () => {
    // Deadline T0+60 s, down at T0+90 s. A start at T0+70 s (its own run deadline T0+100 s)
    // must not extend the schedule deadline (ping-api.md §7), so the evaluator flips at T0+90 s.
    const started = check({ lastStart: s(T0, 70), lastStartRid: R1 });
    expect(started.alertAfter).toEqual(s(T0, 90));
    const { state, flip } = evaluateDeadline(started, s(T0, 90));
    expect(flip).toEqual({ oldStatus: 'up', newStatus: 'down', reason: 'timeout', detail: '', at: s(T0, 90), silent: false });
    expect(state.status).toBe('down');
  });

  it('a down check has nothing to wait for', () => {
    const down = check({ status: 'down', alertAfter: s(T0, 90) });
    const { state, flip } = evaluateDeadline(down, s(T0, 500));
    expect(flip).toBeUndefined();
    expect(state.alertAfter).toBeNull();
    expect(state.status).toBe('down');
  });
});

describe('pause and resume', () => {
  it('pause: status paused, start and alert_after cleared, silent flip', () => {
    const before = check({ lastStart: s(T0, 10), lastStartRid: R1 });
    const now = s(T0, 20);
    const { state, flip } = pause(before, now);
    expect(state.status).toBe('paused');
    expect(state.lastStart).toBeNull();
    expect(state.lastStartRid).toBeNull();
    expect(state.alertAfter).toBeNull();
    expect(flip).toEqual({ oldStatus: 'up', newStatus: 'paused', reason: '', detail: '', at: now, silent: true });
    expect(statusAt(state, s(T0, 10_000))).toBe('paused');
  });

  it('pause works from new and down too', () => {
    expect(pause(fresh(), T0).flip).toMatchObject({ oldStatus: 'new', newStatus: 'paused' });
    expect(pause(check({ status: 'down' }), T0).flip).toMatchObject({ oldStatus: 'down', newStatus: 'paused' });
  });

  it('pausing a paused check changes nothing and makes no flip', () => {
    const paused = check({ status: 'paused', alertAfter: null });
    const result = pause(paused, T0);
    expect(result.flip).toBeUndefined();
    expect(result.state).toEqual(paused);
  });

  it('resume: from paused to new, last_ping, last_start and alert_after cleared, silent flip', () => {
    const paused = check({ status: 'paused', lastPing: T0, lastStart: s(T0, 5), alertAfter: s(T0, 35) });
    const now = s(T0, 100);
    const result = resume(paused, now);
    if (result === 'not_paused') throw new Error('expected a resume');
    expect(result.state.status).toBe('new');
    expect(result.state.lastPing).toBeNull();
    expect(result.state.lastStart).toBeNull();
    expect(result.state.lastStartRid).toBeNull();
    expect(result.state.alertAfter).toBeNull();
    expect(result.flip).toEqual({ oldStatus: 'paused', newStatus: 'new', reason: '', detail: '', at: now, silent: true });
    expect(statusAt(result.state, s(T0, 10_000))).toBe('new');
    // The next success takes it up silently, as for any new check.
    expect(applyPing(result.state, success(), s(now, 1)).flip).toMatchObject({ oldStatus: 'new', newStatus: 'up', silent: true });
  });

  it("resume from anything but paused is 'not_paused'", () => {
    for (const status of ['new', 'up', 'down'] as const) {
      expect(resume(check({ status }), T0)).toBe('not_paused');
    }
  });
});

describe('run bounds and silences', () => {
  it('a success under min_duration is a failure with the reason; at or over it, a success', () => {
    const started = applyPing(check({ minDurationS: 60 }), start(), s(T0, 10)).state;
    const fast = applyPing(started, success(), s(T0, 13));
    expect(fast.durationMs).toBe(3000n);
    expect(fast.flip).toMatchObject({ newStatus: 'down', reason: 'too_fast', detail: 'finished in 3 s, expected at least 1 min' });
    const ok = applyPing(applyPing(check({ minDurationS: 60 }), start(), s(T0, 10)).state, success(), s(T0, 70));
    expect(ok.flip).toBeUndefined();
    expect(ok.state.recentOutcomes.endsWith('s')).toBe(true);
  });

  it('an open run past max_duration is due then, before the grace, and a miss with the reason', () => {
    const started = applyPing(check({ graceS: 10_800, timeoutS: 86_400, maxDurationS: 7200 }), start(), T0).state;
    expect(started.alertAfter).toEqual(s(T0, 7200));
    const result = evaluateDeadline(started, s(T0, 7500));
    expect(result.flip).toMatchObject({ reason: 'too_slow', detail: 'running for 2 h 5 min, expected at most 2 h', at: s(T0, 7200), runMs: 7_500_000 });
  });

  it('a timed pause resumes at its end with a fresh period, and the next down flip says so', () => {
    const paused = pause(check(), s(T0, 10), s(T0, 600)).state;
    expect(paused).toMatchObject({ status: 'paused', alertAfter: s(T0, 600) });
    expect(evaluateDeadline(paused, s(T0, 599)).state.status).toBe('paused');
    const resumed = evaluateDeadline(paused, s(T0, 600));
    expect(resumed.flip).toMatchObject({ oldStatus: 'paused', newStatus: 'up', silent: true, at: s(T0, 600) });
    expect(resumed.state).toMatchObject({ status: 'up', referenceAt: s(T0, 600), alertAfter: s(T0, 690), pausedUntil: null });
    const down = evaluateDeadline(resumed.state, s(T0, 690));
    expect(down.flip).toMatchObject({ reason: 'timeout', detail: 'after a pause that ended at 2025-06-01 10:10 UTC' });
  });

  it('a maintenance window holds the deadline until its end; then a fresh period plus grace', () => {
    const due = check();
    const held = evaluateDeadline(due, s(T0, 90), { until: s(T0, 1000) });
    expect(held.flip).toBeUndefined();
    expect(held.state).toMatchObject({ status: 'up', silencedUntil: s(T0, 1000), alertAfter: s(T0, 1000) });
    const ended = evaluateDeadline(held.state, s(T0, 1000));
    expect(ended.flip).toBeUndefined();
    expect(ended.state).toMatchObject({ referenceAt: s(T0, 1000), alertAfter: s(T0, 1090), silencedUntil: null, recentOutcomes: '' });
  });
});

describe('after a maintenance window, never backwards', () => {
  it('a success after the window ended, before the evaluator saw it, keeps its own reference', () => {
    const held = evaluateDeadline(check(), s(T0, 90), { until: s(T0, 1000) }).state;
    const pinged = applyPing(held, success(), s(T0, 1200));
    expect(pinged.state).toMatchObject({ silencedUntil: null, referenceAt: s(T0, 1200), alertAfter: s(T0, 1290) });
    const late = evaluateDeadline({ ...held, referenceAt: s(T0, 1200) }, s(T0, 1250));
    expect(late.state.referenceAt).toEqual(s(T0, 1200));
  });
});

describe('a success inside a maintenance window', () => {
  it('ends the hold: the next deadline counts from the ping, and no note follows', () => {
    const held = evaluateDeadline(check(), s(T0, 90), { until: s(T0, 1000) }).state;
    const pinged = applyPing(held, success(), s(T0, 500));
    expect(pinged.state).toMatchObject({ silencedUntil: null, silenceNote: '', alertAfter: s(T0, 590) });
    // Still in the window at that deadline: held again.
    expect(evaluateDeadline(pinged.state, s(T0, 590), { until: s(T0, 1000) }).state).toMatchObject({ silencedUntil: s(T0, 1000), alertAfter: s(T0, 1000) });
  });
});
