import { describe, expect, it } from 'vitest';
import { clientAddress } from '../../src/http/client-address.js';

// ping-api.md §4 (remote_addr); the same rule serves every route that records a client address.
describe('clientAddress', () => {
  it('trusting the proxy: the first X-Forwarded-For entry, trimmed', () => {
    expect(clientAddress('203.0.113.7, 10.0.0.1, 10.0.0.2', '10.0.0.2', true)).toBe('203.0.113.7');
    expect(clientAddress('  203.0.113.7  ,10.0.0.1', '10.0.0.2', true)).toBe('203.0.113.7');
    expect(clientAddress('203.0.113.7', '10.0.0.2', true)).toBe('203.0.113.7');
  });

  it('trusting the proxy without the header: the socket peer', () => {
    expect(clientAddress(undefined, '198.51.100.4', true)).toBe('198.51.100.4');
    expect(clientAddress('', '198.51.100.4', true)).toBe('198.51.100.4');
  });

  it('not trusting the proxy: always the socket peer', () => {
    expect(clientAddress('203.0.113.7', '198.51.100.4', false)).toBe('198.51.100.4');
    expect(clientAddress(undefined, '198.51.100.4', false)).toBe('198.51.100.4');
  });

  it("drops the port from 'a.b.c.d:port'", () => {
    expect(clientAddress('203.0.113.7:54321, 10.0.0.1', undefined, true)).toBe('203.0.113.7');
    expect(clientAddress(undefined, '198.51.100.4:443', false)).toBe('198.51.100.4');
  });

  it('keeps IPv6 and IPv4-mapped addresses as given', () => {
    expect(clientAddress('2001:db8::1, 10.0.0.1', undefined, true)).toBe('2001:db8::1');
    expect(clientAddress(undefined, '2001:db8::1', false)).toBe('2001:db8::1');
    expect(clientAddress(undefined, '::ffff:192.0.2.1', false)).toBe('::ffff:192.0.2.1');
    expect(clientAddress('::ffff:192.0.2.1', undefined, true)).toBe('::ffff:192.0.2.1');
    expect(clientAddress(undefined, '::1', false)).toBe('::1');
  });

  it('no address at all is null', () => {
    expect(clientAddress(undefined, undefined, true)).toBeNull();
    expect(clientAddress(undefined, undefined, false)).toBeNull();
    expect(clientAddress('203.0.113.7', undefined, false)).toBeNull();
  });
});
