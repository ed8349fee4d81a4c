import type { CheckTiming } from '../../src/heartbeats/status.js';

/** The instant the heartbeat unit tests count from. */
export const T0 = new Date('2025-06-01T10:00:00Z');
export const ms = (base: Date, deltaMs: number) => new Date(base.getTime() + deltaMs);
export const s = (base: Date, seconds: number) => ms(base, seconds * 1000);

/** An up simple check with reference time T0: timeout 60 s, grace 30 s. */
export function timing(overrides: Partial<CheckTiming> = {}): CheckTiming {
  return {
    kind: 'simple',
    timeoutS: 60,
    graceS: 30,
    schedule: '* * * * *',
    tz: 'UTC',
    status: 'up',
    lastStart: null,
    referenceAt: T0,
    ...overrides,
  };
}
