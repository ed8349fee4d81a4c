import { describe, expect, it } from 'vitest';
import { closeRun, MAX_OPEN_RUNS, openRun, slowRunDeadline, spokenDuration, summarizeDurations } from '../../src/heartbeats/runs.js';
import { s, T0 } from './fixtures.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

describe('open runs', () => {
  it('pairs each finish with the start of its own rid; without rid, with the start without rid', () => {
    let runs = openRun({}, A, T0);
    runs = openRun(runs, null, s(T0, 5));
    runs = openRun(runs, B, s(T0, 10));
    const b = closeRun(runs, B, s(T0, 30));
    expect(b.durationMs).toBe(20_000n);
    const none = closeRun(b.runs, '00000000-0000-4000-8000-00000000000c', s(T0, 31));
    expect(none).toEqual({ durationMs: null, runs: b.runs });
    const plain = closeRun(b.runs, null, s(T0, 65));
    expect(plain.durationMs).toBe(60_000n);
    const a = closeRun(plain.runs, A, s(T0, 90));
    expect([a.durationMs, a.runs]).toEqual([90_000n, {}]);
  });

  it('a second start with the same rid restarts the run; starts older than 72 h pair with nothing', () => {
    const again = openRun(openRun({}, A, T0), A, s(T0, 100));
    expect(closeRun(again, A, s(T0, 130)).durationMs).toBe(30_000n);
    const stale = openRun({}, null, T0);
    expect(closeRun(stale, null, s(T0, 72 * 3600 + 1)).durationMs).toBeNull();
  });

  it(`remembers at most ${MAX_OPEN_RUNS} runs, the newest`, () => {
    let runs = {};
    for (let i = 0; i < MAX_OPEN_RUNS + 5; i++) runs = openRun(runs, `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, s(T0, i));
    expect(Object.keys(runs)).toHaveLength(MAX_OPEN_RUNS);
    expect(closeRun(runs, '00000000-0000-4000-8000-000000000000', s(T0, 100)).durationMs).toBeNull();
  });

  it('the slow-run deadline is the oldest run not yet reported', () => {
    const runs = { [A]: { at: T0.toISOString(), late: true as const }, [B]: { at: s(T0, 60).toISOString() } };
    expect(slowRunDeadline(runs, 3600)).toEqual({ key: B, startedAt: s(T0, 60), at: s(T0, 3660) });
    expect(slowRunDeadline(runs, null)).toBeNull();
  });
});

describe('durations for people and summaries', () => {
  it.each([
    [3_400, '3 s'],
    [250_000, '4 min 10 s'],
    [7_200_000, '2 h'],
    [7_500_000, '2 h 5 min'],
    [100_800_000, '1 d 4 h'],
  ])('%i ms is "%s"', (ms, text) => expect(spokenDuration(ms)).toBe(text));

  it('nearest-rank p50 and p90, max and count, in seconds', () => {
    expect(summarizeDurations([])).toEqual({ p50: null, p90: null, max: null, count: 0 });
    const ten = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5].map((x) => x * 1000);
    expect(summarizeDurations(ten)).toEqual({ p50: 5, p90: 9, max: 10, count: 10 });
    expect(summarizeDurations([1234])).toEqual({ p50: 1.23, p90: 1.23, max: 1.23, count: 1 });
  });
});
