import { describe, expect, it } from 'vitest';
import { alertAfter, apiStatus, graceStart, scheduleStart, statusAt, type CheckTiming } from '../../src/heartbeats/status.js';
import { ms, s, T0, timing } from './fixtures.js';

// ping-api.md §7: status is derived from stored fields and one `now`; every boundary is inclusive.

function cron(schedule: string, overrides: Partial<CheckTiming> = {}): CheckTiming {
  return timing({ kind: 'cron', schedule, tz: 'UTC', graceS: 600, ...overrides });
}

describe('scheduleStart', () => {
  it('simple: reference + timeout', () => {
    expect(scheduleStart(timing())).toEqual(s(T0, 60));
    expect(scheduleStart(timing({ timeoutS: 86_400 }))).toEqual(s(T0, 86_400));
  });

  it('cron: the first fire time strictly after the reference', () => {
    expect(scheduleStart(cron('0 * * * *', { referenceAt: new Date('2025-06-01T10:15:00Z') }))).toEqual(new Date('2025-06-01T11:00:00Z'));
    // A ping exactly at a fire time counts for that slot; the next one is due.
    expect(scheduleStart(cron('0 * * * *', { referenceAt: new Date('2025-06-01T11:00:00Z') }))).toEqual(new Date('2025-06-01T12:00:00Z'));
    // Sub-second part ignored: 11:00:00.900 is still the 11:00 slot.
    expect(scheduleStart(cron('0 * * * *', { referenceAt: new Date('2025-06-01T11:00:00.900Z') }))).toEqual(new Date('2025-06-01T12:00:00Z'));
    // An early ping (10:59:59.9) counts for the slot before, so 11:00 is next.
    expect(scheduleStart(cron('0 * * * *', { referenceAt: new Date('2025-06-01T10:59:59.900Z') }))).toEqual(new Date('2025-06-01T11:00:00Z'));
  });

  it('cron: computed in the check time zone, returned as a UTC instant', () => {
    const check = cron('0 9 * * *', { tz: 'Europe/Berlin', referenceAt: new Date('2025-06-01T06:00:00Z') });
    expect(scheduleStart(check)).toEqual(new Date('2025-06-01T07:00:00Z'));
    const winter = cron('0 9 * * *', { tz: 'Europe/Berlin', referenceAt: new Date('2025-01-15T06:00:00Z') });
    expect(scheduleStart(winter)).toEqual(new Date('2025-01-15T08:00:00Z'));
  });

  it('is null unless the stored status is up', () => {
    for (const status of ['new', 'down', 'paused'] as const) {
      expect(scheduleStart(timing({ status }))).toBeNull();
      expect(scheduleStart(cron('0 * * * *', { status }))).toBeNull();
    }
  });

  it('is null for an up check with no reference yet', () => {
    expect(scheduleStart(timing({ referenceAt: null }))).toBeNull();
  });

  it('is null for a cron schedule that never fires again', () => {
    expect(scheduleStart(cron('0 0 30 2 *'))).toBeNull();
  });

  it('is not moved by a start', () => {
    expect(scheduleStart(timing({ lastStart: s(T0, 50) }))).toEqual(s(T0, 60));
    expect(scheduleStart(timing({ lastStart: s(T0, 70) }))).toEqual(s(T0, 60));
  });
});

describe('graceStart and alertAfter', () => {
  it('without a start: the schedule end, and alert_after = that + grace', () => {
    expect(graceStart(timing())).toEqual(s(T0, 60));
    expect(alertAfter(timing())).toEqual(s(T0, 90));
  });

  it('a start earlier than the schedule end wins', () => {
    const check = timing({ lastStart: s(T0, 10) });
    expect(graceStart(check)).toEqual(s(T0, 10));
    expect(alertAfter(check)).toEqual(s(T0, 40));
  });

  it('a start later than the schedule end does not extend it', () => {
    const check = timing({ lastStart: s(T0, 70) });
    expect(graceStart(check)).toEqual(s(T0, 60));
    expect(alertAfter(check)).toEqual(s(T0, 90));
  });

  it('a start on a new or paused check arms alert_after = last_start + grace', () => {
    for (const status of ['new', 'paused'] as const) {
      const check = timing({ status, referenceAt: null, lastStart: s(T0, 5) });
      expect(graceStart(check)).toEqual(s(T0, 5));
      expect(alertAfter(check)).toEqual(s(T0, 35));
    }
  });

  it('a start on a down check arms nothing', () => {
    const check = timing({ status: 'down', lastStart: s(T0, 5) });
    expect(graceStart(check)).toBeNull();
    expect(alertAfter(check)).toBeNull();
  });

  it('is null when nothing can make the check go down', () => {
    for (const status of ['new', 'down', 'paused'] as const) {
      expect(graceStart(timing({ status }))).toBeNull();
      expect(alertAfter(timing({ status }))).toBeNull();
    }
  });

  it('cron: next fire time + grace', () => {
    const check = cron('0 * * * *', { referenceAt: new Date('2025-06-01T10:15:00Z') });
    expect(graceStart(check)).toEqual(new Date('2025-06-01T11:00:00Z'));
    expect(alertAfter(check)).toEqual(new Date('2025-06-01T11:10:00Z'));
  });
});

describe('statusAt: simple check boundaries (inclusive)', () => {
  const check = timing(); // deadline T0+60s, grace 30s
  const deadline = s(T0, 60);
  const downAt = s(T0, 90);

  it('is up until one ms before the deadline', () => {
    expect(statusAt(check, T0)).toBe('up');
    expect(statusAt(check, ms(deadline, -1))).toBe('up');
  });

  it('is grace from exactly the deadline', () => {
    expect(statusAt(check, deadline)).toBe('grace');
    expect(statusAt(check, ms(downAt, -1))).toBe('grace');
  });

  it('is down from exactly deadline + grace', () => {
    expect(statusAt(check, downAt)).toBe('down');
    expect(statusAt(check, s(T0, 86_400))).toBe('down');
  });

  it('a zero grace goes straight from up to down at the deadline', () => {
    const noGrace = timing({ graceS: 0 });
    expect(statusAt(noGrace, ms(deadline, -1))).toBe('up');
    expect(statusAt(noGrace, deadline)).toBe('down');
  });
});

describe('statusAt: cron check boundaries (inclusive)', () => {
  // Reference 10:15, schedule hourly: deadline 11:00, grace 10 min → down at 11:10.
  const check = cron('0 * * * *', { referenceAt: new Date('2025-06-01T10:15:00Z') });
  const deadline = new Date('2025-06-01T11:00:00Z');
  const downAt = new Date('2025-06-01T11:10:00Z');

  it('up → grace → down exactly at the boundaries', () => {
    expect(statusAt(check, ms(deadline, -1))).toBe('up');
    expect(statusAt(check, deadline)).toBe('grace');
    expect(statusAt(check, ms(downAt, -1))).toBe('grace');
    expect(statusAt(check, downAt)).toBe('down');
  });

  it('in a time zone, across the spring-forward gap', () => {
    // '30 2 * * *' in New York runs at 03:00 EDT (07:00Z) on 2025-03-09.
    const ny = cron('30 2 * * *', { tz: 'America/New_York', referenceAt: new Date('2025-03-08T07:30:00Z') });
    expect(statusAt(ny, new Date('2025-03-09T06:59:59.999Z'))).toBe('up');
    expect(statusAt(ny, new Date('2025-03-09T07:00:00Z'))).toBe('grace');
    expect(statusAt(ny, new Date('2025-03-09T07:09:59.999Z'))).toBe('grace');
    expect(statusAt(ny, new Date('2025-03-09T07:10:00Z'))).toBe('down');
  });

  it('a cron schedule that never fires stays up', () => {
    expect(statusAt(cron('0 0 30 2 *'), new Date('2030-01-01T00:00:00Z'))).toBe('up');
  });
});

describe('statusAt: stored statuses other than up', () => {
  it('new, paused and down are returned as stored, however late it is', () => {
    for (const status of ['new', 'paused', 'down'] as const) {
      const check = timing({ status });
      expect(statusAt(check, T0)).toBe(status);
      expect(statusAt(check, s(T0, 10 * 86_400))).toBe(status);
    }
  });

  it('an up check with no reference yet is up', () => {
    expect(statusAt(timing({ referenceAt: null }), s(T0, 10 * 86_400))).toBe('up');
  });
});

describe('statusAt: started', () => {
  const start = s(T0, 10);
  const runDeadline = s(start, 30); // last_start + grace

  it("is 'started' until last_start + grace, then 'down', for every stored status", () => {
    for (const status of ['new', 'up', 'paused', 'down'] as const) {
      const check = timing({ status, lastStart: start, referenceAt: status === 'up' ? T0 : null });
      expect(statusAt(check, start)).toBe('started');
      expect(statusAt(check, ms(runDeadline, -1))).toBe('started');
      expect(statusAt(check, runDeadline)).toBe('down');
      expect(statusAt(check, s(runDeadline, 3600))).toBe('down');
    }
  });

  it('a start on a new check goes down at last_start + grace, matching its alert_after', () => {
    const check = timing({ status: 'new', referenceAt: null, lastStart: start });
    expect(alertAfter(check)).toEqual(runDeadline);
    expect(statusAt(check, runDeadline)).toBe('down');
  });

  it('a start before the deadline makes the check go down earlier when the run never finishes', () => {
    // Up, deadline T0+60; started at T0+10 with grace 30 → down at T0+40 (before the schedule would).
    const check = timing({ lastStart: start });
    expect(statusAt(check, ms(runDeadline, -1))).toBe('started');
    expect(statusAt(check, runDeadline)).toBe('down');
  });
});

describe('apiStatus (v2/v3): started is a flag, never a status', () => {
  it('reports started: false without a start', () => {
    const check = timing();
    expect(apiStatus(check, T0)).toEqual({ status: 'up', started: false });
    expect(apiStatus(check, s(T0, 60))).toEqual({ status: 'grace', started: false });
    expect(apiStatus(check, s(T0, 90))).toEqual({ status: 'down', started: false });
    expect(apiStatus(timing({ status: 'new', referenceAt: null }), T0)).toEqual({ status: 'new', started: false });
    expect(apiStatus(timing({ status: 'paused' }), T0)).toEqual({ status: 'paused', started: false });
  });

  it('keeps the stored/schedule status while a run is open', () => {
    const start = s(T0, 10);
    expect(apiStatus(timing({ lastStart: start }), s(T0, 20))).toEqual({ status: 'up', started: true });
    expect(apiStatus(timing({ status: 'new', referenceAt: null, lastStart: start }), s(T0, 20))).toEqual({ status: 'new', started: true });
    expect(apiStatus(timing({ status: 'paused', lastStart: start }), s(T0, 20))).toEqual({ status: 'paused', started: true });
    expect(apiStatus(timing({ status: 'down', lastStart: start }), s(T0, 20))).toEqual({ status: 'down', started: true });
  });

  it('is down once last_start + grace has passed, whatever the stored status', () => {
    const start = s(T0, 10);
    for (const status of ['new', 'up', 'paused', 'down'] as const) {
      const check = timing({ status, lastStart: start, referenceAt: status === 'up' ? T0 : null });
      expect(apiStatus(check, s(T0, 39))).toEqual({ status: status === 'up' ? 'up' : status, started: true });
      expect(apiStatus(check, s(T0, 40))).toEqual({ status: 'down', started: true });
    }
  });

  it('a start during the grace period does not extend the schedule deadline', () => {
    // Deadline T0+60, grace 30 → down at T0+90. A start at T0+70 (last_start + grace = T0+100) must not postpone it.
    const check = timing({ lastStart: s(T0, 70) });
    expect(apiStatus(check, s(T0, 75))).toEqual({ status: 'grace', started: true });
    expect(apiStatus(check, ms(s(T0, 90), -1))).toEqual({ status: 'grace', started: true });
    expect(apiStatus(check, s(T0, 90))).toEqual({ status: 'down', started: true });
    // v1 shows the open run until the run itself times out.
    expect(statusAt(check, s(T0, 90))).toBe('started');
    expect(statusAt(check, s(T0, 100))).toBe('down');
  });
});
