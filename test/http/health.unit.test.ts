import { describe, expect, it } from 'vitest';
import { isLoopback } from '../../src/http/health.js';

describe('isLoopback', () => {
  it('IPv4 127/8, IPv6 ::1 and IPv4 loopback mapped into IPv6', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '::FFFF:127.0.0.9']) expect(isLoopback(a), a).toBe(true);
  });
  it('nothing else', () => {
    for (const a of ['', '10.0.0.1', '1127.0.0.1', '127.0.0.1.example', '::ffff:10.0.0.1', '::2', '0.0.0.0', '2001:db8::1']) expect(isLoopback(a), a).toBe(false);
  });
});
