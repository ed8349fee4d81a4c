import { describe, expect, it } from 'vitest';
import { clientAddress, trustProxyOf } from '../../src/http/client-address.js';

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

  // Issue 17: with TRUST_PROXY=true the first entry wins, and any client can write it.
  describe('TRUST_PROXY naming the proxies: the rightmost entry that is not a listed proxy', () => {
    const proxies = trustProxyOf(['10.0.0.0/8', '2001:db8:ffff::1']);
    it('a forged first entry does not win', () => {
      expect(clientAddress('1.2.3.4, 203.0.113.7, 10.0.0.1', '10.0.0.2', proxies)).toBe('203.0.113.7');
      expect(clientAddress('203.0.113.7', '10.0.0.2', proxies)).toBe('203.0.113.7');
      expect(clientAddress('203.0.113.7:5555, 10.1.2.3', '2001:db8:ffff::1', proxies)).toBe('203.0.113.7');
    });
    it('a peer that is not a listed proxy is the client, whatever the header says', () => {
      expect(clientAddress('203.0.113.7', '198.51.100.4', proxies)).toBe('198.51.100.4');
    });
    it('only proxies in the header: the first of them; garbage entries count as the client', () => {
      expect(clientAddress('10.0.0.5, 10.0.0.1', '10.0.0.2', proxies)).toBe('10.0.0.5');
      expect(clientAddress('not-an-ip, 10.0.0.1', '10.0.0.2', proxies)).toBe('not-an-ip');
      expect(clientAddress(undefined, '10.0.0.2', proxies)).toBe('10.0.0.2');
    });
  });
});
