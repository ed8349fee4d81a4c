import { describe, expect, it } from 'vitest';
import { jobState } from '../../src/scheduler/operations.js';
import type { RunRow } from '../../src/scheduler/store.js';

const run = (state: RunRow['state']) => ({ state }) as RunRow;

describe('jobState', () => {
  it('is paused first, then running, then failing after a last run that did not succeed, else ok', () => {
    expect(jobState(true, run('running'))).toBe('paused');
    expect(jobState(false, run('running'))).toBe('running');
    expect(jobState(false, run('failed'))).toBe('failing');
    expect(jobState(false, run('succeeded'))).toBe('ok');
    expect(jobState(false, undefined)).toBe('ok');
  });
});
