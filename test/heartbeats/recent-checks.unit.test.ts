import { describe, expect, it } from 'vitest';
import { RecentChecks, type KnownCheck } from '../../src/heartbeats/recent-checks.js';

const entry = (rowVersion: string) => ({ rowVersion }) as unknown as KnownCheck;

describe('the intake memory of recent checks', () => {
  it('keeps at most its capacity, dropping the least recently written first', () => {
    const known = new RecentChecks(2);
    known.set('a', entry('1'));
    known.set('b', entry('1'));
    known.set('a', entry('2')); // written again: now the most recent
    known.set('c', entry('1'));
    expect(known.get('b')).toBeUndefined();
    expect(known.get('a')?.rowVersion).toBe('2');
    expect(known.get('c')?.rowVersion).toBe('1');
  });

  it('forgets a check on request', () => {
    const known = new RecentChecks(2);
    known.set('a', entry('1'));
    known.forget('a');
    expect(known.get('a')).toBeUndefined();
  });
});
