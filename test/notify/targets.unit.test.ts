import { describe, expect, it } from 'vitest';
import { isPublicAddress, parseAllowList, refuseTarget } from '../../src/notify/targets.js';

// Issue 17: the webhook target guard. IP literals need no DNS, so this is pure.
const none = parseAllowList(undefined);

const PUBLIC = ['1.1.1.1', '93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '2001:4860:4860::8888'];

// Every special range, with the IPv6 forms that carry a blocked IPv4 address.
const BLOCKED = [
  ['0.0.0.0', 'this network'],
  ['10.1.2.3', 'private'],
  ['100.64.0.1', 'carrier-grade NAT'],
  ['127.0.0.1', 'loopback'],
  ['169.254.169.254', 'cloud metadata'],
  ['172.16.0.1', 'private'],
  ['192.0.0.8', 'IETF protocol assignments'],
  ['192.0.2.1', 'TEST-NET-1'],
  ['192.168.1.1', 'private'],
  ['198.18.0.1', 'benchmarking'],
  ['198.51.100.7', 'TEST-NET-2'],
  ['203.0.113.7', 'TEST-NET-3'],
  ['224.0.0.1', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
  ['::ffff:a9fe:a9fe', 'IPv4-mapped metadata'],
  ['::7f00:1', 'IPv4-compatible loopback'],
  ['::10.0.0.1', 'IPv4-compatible private'],
  ['64:ff9b::7f00:1', 'NAT64 of loopback'],
  ['64:ff9b::169.254.169.254', 'NAT64 of metadata'],
  ['64:ff9b:1::1.1.1.1', 'local-use NAT64'],
  ['2002:7f00:1::1', '6to4 of loopback'],
  ['2002:a00:1::', '6to4 of 10.0.0.1'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
  ['100::1', 'discard-only'],
  ['2001:db8::1', 'documentation'],
  ['fc00::1', 'unique local'],
  ['fd12:3456::1', 'unique local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local with a zone id'],
  ['fec0::1', 'site-local'],
  ['ff02::1', 'multicast'],
] as const;

describe('isPublicAddress', () => {
  it('accepts public IPv4 and IPv6 (IPv4 is not matched against the IPv4-mapped IPv6 range)', () => {
    for (const a of PUBLIC) expect(isPublicAddress(a, none), a).toBe(true);
  });

  it('accepts IPv6 forms that carry a public IPv4 address', () => {
    for (const a of ['::ffff:1.1.1.1', '::ffff:808:808', '64:ff9b::808:808', '2002:808:808::1']) expect(isPublicAddress(a, none), a).toBe(true);
  });

  it('refuses every special range', () => {
    for (const [a, what] of BLOCKED) expect(isPublicAddress(a, none), `${a} (${what})`).toBe(false);
  });

  it('refuses what is not an IP address', () => {
    for (const a of ['', 'localhost', 'example.com', '1.2.3', '::g']) expect(isPublicAddress(a, none), a).toBe(false);
  });

  it('lets the allow list through, also for the IPv4 address an IPv6 form carries', () => {
    const allow = parseAllowList('127.0.0.1, 10.0.0.0/8, fd00::/8');
    for (const a of ['127.0.0.1', '10.9.8.7', '::ffff:127.0.0.1', '64:ff9b::7f00:1', '2002:a00:1::1', 'fd00::5']) expect(isPublicAddress(a, allow), a).toBe(true);
    for (const a of ['127.0.0.2', '169.254.169.254', '::1', 'fc00::1']) expect(isPublicAddress(a, allow), a).toBe(false);
  });
});

describe('refuseTarget', () => {
  it('accepts public IP literals without DNS', async () => {
    for (const url of ['http://1.1.1.1/', 'https://93.184.216.34/hook', 'http://8.8.8.8:8080/x', 'http://[2606:4700:4700::1111]/', 'https://[2001:4860:4860::8888]/hook']) {
      expect(await refuseTarget(url, none), url).toBeUndefined();
    }
  });

  it('refuses special-range literals, however the URL spells them', async () => {
    const urls = [
      'http://[64:ff9b::7f00:1]/',
      'http://[2002:7f00:1::1]/',
      'http://[::7f00:1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:7f00:1]/',
      'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://0.0.0.0/',
      'http://[::]/',
      'http://0x7f.1/', // WHATWG URL normalises this to 127.0.0.1
      'http://2130706433/',
      ...BLOCKED.filter(([a]) => !a.includes('%')).map(([a]) => (a.includes(':') ? `http://[${a}]/` : `http://${a}/`)),
    ];
    for (const url of urls) expect(await refuseTarget(url, none), url).toMatch(/non-public address/);
  });

  it('refuses non-http(s), credentials and garbage before any lookup', async () => {
    expect(await refuseTarget('ftp://1.1.1.1/', none)).toBe('url must be http or https');
    expect(await refuseTarget('http://u:p@1.1.1.1/', none)).toBe('url must not carry credentials');
    expect(await refuseTarget('not a url', none)).toBe('url must be an absolute http(s) URL');
  });

  it('the allow list lets 127.0.0.1 through', async () => {
    expect(await refuseTarget('http://127.0.0.1:8080/hook', parseAllowList('127.0.0.1'))).toBeUndefined();
    expect(await refuseTarget('http://[::ffff:127.0.0.1]/hook', parseAllowList('127.0.0.1'))).toBeUndefined();
    expect(await refuseTarget('http://127.0.0.1:8080/hook', none)).toBe('127.0.0.1 resolves to a non-public address (127.0.0.1)');
  });
});
