import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../src/logger.js';

function captured(intervalMs: number) {
  const lines: Record<string, any>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('debug', sink, { errorRateLimitMs: intervalMs }), lines };
}

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('error log rate limit', () => {
  afterEach(() => vi.useRealTimers());

  it('logs the first error of a kind with its stack, counts repeats, and writes one line with the count per interval', async () => {
    vi.useFakeTimers();
    const { logger, lines } = captured(10_000);
    for (let i = 0; i < 4462; i++) logger.error({ err: refused(), checkId: `c${i}` }, 'ping could not be stored');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.err.stack).toMatch(/ECONNREFUSED/);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ level: 50, repeated: 4461, interval_s: 10, error: { code: 'ECONNREFUSED' }, checkId: 'c4461' });
    expect(lines[1]!.msg).toBe('ping could not be stored (4461 more in the last 10 s)');
    expect(lines[1]!.err).toBeUndefined();

    // Still failing: one counted line per interval, no stacks.
    for (let i = 0; i < 10; i++) logger.error({ err: refused() }, 'ping could not be stored');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lines).toHaveLength(3);
    expect(lines[2]!.repeated).toBe(10);
    // A quiet interval closes the window; the next occurrence is logged in full again.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lines).toHaveLength(3);
    logger.error({ err: refused() }, 'ping could not be stored');
    expect(lines).toHaveLength(4);
    expect(lines[3]!.err.stack).toBeDefined();
  });

  it('different kinds never hide each other: message, error code, loop and job each make a kind', () => {
    const { logger, lines } = captured(10_000);
    logger.error({ err: refused() }, 'ping could not be stored');
    logger.error({ err: Object.assign(new Error('dup'), { code: '23505' }) }, 'ping could not be stored');
    logger.error({ err: refused() }, 'background loop tick failed');
    logger.error({ err: refused(), loop: 'alerts' }, 'background loop tick failed');
    logger.error({ err: refused(), loop: 'scheduler' }, 'background loop tick failed');
    logger.error({ err: refused(), loop: 'scheduler' }, 'background loop tick failed');
    // Without a code, the message names the kind.
    logger.error({ err: new Error('boom 1'), loop: 'flaky' }, 'background loop tick failed');
    logger.error({ err: new Error('boom 2'), loop: 'flaky' }, 'background loop tick failed');
    logger.error({ err: new Error('boom 2'), loop: 'flaky' }, 'background loop tick failed');
    expect(lines).toHaveLength(7);
  });

  it('lines without an error are never limited', () => {
    const { logger, lines } = captured(10_000);
    for (let i = 0; i < 5; i++) logger.info({ n: i }, 'tick');
    for (let i = 0; i < 5; i++) logger.warn('plain');
    expect(lines).toHaveLength(10);
  });
});
