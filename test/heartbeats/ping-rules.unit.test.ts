import { describe, expect, it } from 'vitest';
import {
  parseRid,
  parseScheduledFor,
  resolvePingKind,
  urlAction,
  type FilterSettings,
} from '../../src/heartbeats/ping-rules.js';

// ping-api.md §3 (processing order), §4 (remote_addr), §5 (rid), §12 (scheduled_for).

function filters(overrides: Partial<FilterSettings> = {}): FilterSettings {
  return { methods: '', filterHttpBody: false, filterDefaultFail: false, startKw: '', successKw: '', failureKw: '', ...overrides };
}

describe('urlAction', () => {
  it('no suffix is success', () => {
    expect(urlAction(undefined)).toEqual({ action: 'success', exitStatus: null });
    expect(urlAction('')).toEqual({ action: 'success', exitStatus: null });
  });

  it('start, fail and log', () => {
    expect(urlAction('start')).toEqual({ action: 'start', exitStatus: null });
    expect(urlAction('fail')).toEqual({ action: 'fail', exitStatus: null });
    expect(urlAction('log')).toEqual({ action: 'log', exitStatus: null });
  });

  it('exit 0 is success with the exit status stored', () => {
    expect(urlAction('0')).toEqual({ action: 'success', exitStatus: 0 });
  });

  it('exit 1..255 is fail with the exit status stored', () => {
    expect(urlAction('1')).toEqual({ action: 'fail', exitStatus: 1 });
    expect(urlAction('2')).toEqual({ action: 'fail', exitStatus: 2 });
    expect(urlAction('127')).toEqual({ action: 'fail', exitStatus: 127 });
    expect(urlAction('255')).toEqual({ action: 'fail', exitStatus: 255 });
  });

  it('exit > 255 is invalid', () => {
    expect(urlAction('256')).toBe('invalid');
    expect(urlAction('1000')).toBe('invalid');
    expect(urlAction('99999999999999999999')).toBe('invalid');
  });

  it('anything else is invalid', () => {
    for (const suffix of ['START', 'Fail', 'ok', '-1', '1.5', ' 1', 'start/']) expect(urlAction(suffix)).toBe('invalid');
  });
});

describe('resolvePingKind: methods', () => {
  it('methods=POST ignores every other method', () => {
    const post = filters({ methods: 'POST' });
    for (const method of ['GET', 'HEAD', 'PUT']) {
      expect(resolvePingKind(post, 'success', method, '')).toBe('ign');
      expect(resolvePingKind(post, 'fail', method, '')).toBe('ign');
      expect(resolvePingKind(post, 'start', method, '')).toBe('ign');
    }
    expect(resolvePingKind(post, 'success', 'POST', '')).toBeNull();
    expect(resolvePingKind(post, 'fail', 'POST', '')).toBe('fail');
  });

  it('an ignored GET stays ignored even when the body filter would match', () => {
    const settings = filters({ methods: 'POST', filterHttpBody: true, failureKw: 'ERROR', filterDefaultFail: true });
    expect(resolvePingKind(settings, 'success', 'GET', 'ERROR')).toBe('ign');
  });

  it('without methods=POST any method counts', () => {
    for (const method of ['GET', 'HEAD', 'POST', 'PUT']) expect(resolvePingKind(filters(), 'success', method, '')).toBeNull();
  });
});

describe('resolvePingKind: URL action without the body filter', () => {
  it('success is stored as null; start, fail, log as themselves', () => {
    expect(resolvePingKind(filters(), 'success', 'GET', '')).toBeNull();
    expect(resolvePingKind(filters(), 'start', 'GET', '')).toBe('start');
    expect(resolvePingKind(filters(), 'fail', 'GET', '')).toBe('fail');
    expect(resolvePingKind(filters(), 'log', 'GET', '')).toBe('log');
  });

  it('keywords are ignored while filter_http_body is off', () => {
    const settings = filters({ failureKw: 'ERROR', filterDefaultFail: true });
    expect(resolvePingKind(settings, 'success', 'POST', 'ERROR')).toBeNull();
  });
});

describe('resolvePingKind: body keyword filter', () => {
  const settings = filters({ filterHttpBody: true, startKw: 'BEGIN', successKw: 'DONE', failureKw: 'ERROR' });

  it('failure beats success beats start', () => {
    expect(resolvePingKind(settings, 'success', 'POST', 'BEGIN ... DONE ... ERROR')).toBe('fail');
    expect(resolvePingKind(settings, 'success', 'POST', 'BEGIN ... DONE')).toBeNull();
    expect(resolvePingKind(settings, 'success', 'POST', 'BEGIN')).toBe('start');
  });

  it('the body replaces the URL action', () => {
    expect(resolvePingKind(settings, 'fail', 'POST', 'DONE')).toBeNull();
    expect(resolvePingKind(settings, 'success', 'POST', 'ERROR')).toBe('fail');
    expect(resolvePingKind(settings, 'start', 'POST', 'DONE')).toBeNull();
    expect(resolvePingKind(settings, 'log', 'POST', 'DONE')).toBeNull();
  });

  it('no keyword matches: ign, or fail with filter_default_fail', () => {
    expect(resolvePingKind(settings, 'success', 'POST', 'nothing here')).toBe('ign');
    expect(resolvePingKind(settings, 'fail', 'POST', '')).toBe('ign');
    expect(resolvePingKind({ ...settings, filterDefaultFail: true }, 'success', 'POST', 'nothing here')).toBe('fail');
    expect(resolvePingKind({ ...settings, filterDefaultFail: true }, 'success', 'POST', 'DONE')).toBeNull();
  });

  it('keywords are split on commas and trimmed; any one matches', () => {
    const list = filters({ filterHttpBody: true, failureKw: ' ERROR , Traceback,FATAL ' });
    expect(resolvePingKind(list, 'success', 'POST', 'a Traceback (most recent call last)')).toBe('fail');
    expect(resolvePingKind(list, 'success', 'POST', 'FATAL')).toBe('fail');
    expect(resolvePingKind(list, 'success', 'POST', 'ERROR')).toBe('fail');
    // ' ERROR ' is trimmed to 'ERROR', so it matches without the surrounding spaces.
    expect(resolvePingKind(list, 'success', 'POST', 'xERRORx')).toBe('fail');
  });

  it('empty keywords are dropped, so they match nothing', () => {
    const empties = filters({ filterHttpBody: true, failureKw: ',, ,', successKw: 'DONE,,', startKw: '' });
    expect(resolvePingKind(empties, 'success', 'POST', 'anything at all')).toBe('ign');
    expect(resolvePingKind(empties, 'success', 'POST', '')).toBe('ign');
    expect(resolvePingKind(empties, 'success', 'POST', 'DONE')).toBeNull();
  });

  it('matching is case-sensitive', () => {
    expect(resolvePingKind(settings, 'success', 'POST', 'error')).toBe('ign');
    expect(resolvePingKind(settings, 'success', 'POST', 'done')).toBe('ign');
    expect(resolvePingKind(settings, 'success', 'POST', 'Begin')).toBe('ign');
  });

  it('keywords match as substrings anywhere in the body', () => {
    expect(resolvePingKind(settings, 'success', 'POST', 'line 1\nline 2 ERRORS: 0\n')).toBe('fail');
  });
});

describe('parseRid', () => {
  const rid = '3f2b8c1e-9d4a-4e7b-8a6c-1b2d3e4f5a6b';

  it('absent is null', () => {
    expect(parseRid(undefined)).toBeNull();
  });

  it('accepts a canonical UUID', () => {
    expect(parseRid(rid)).toBe(rid);
  });

  it('accepts uppercase and mixed case, stored lowercase', () => {
    expect(parseRid(rid.toUpperCase())).toBe(rid);
    expect(parseRid('3F2B8C1E-9d4a-4E7B-8a6c-1B2D3E4F5A6B')).toBe(rid);
  });

  it('rejects short strings, extra characters and non-canonical forms', () => {
    for (const raw of [
      '',
      'abc',
      rid.slice(0, -1),
      `${rid}0`,
      `${rid}x`,
      ` ${rid}`,
      `${rid}\n`,
      `{${rid}}`,
      `urn:uuid:${rid}`,
      rid.replaceAll('-', ''),
      rid.replace('3f', 'zz'),
    ]) {
      expect(parseRid(raw), JSON.stringify(raw)).toBe('invalid');
    }
  });
});

describe('parseScheduledFor', () => {
  it('absent is null', () => {
    expect(parseScheduledFor(undefined)).toBeNull();
  });

  it('accepts RFC 3339 with Z', () => {
    expect(parseScheduledFor('2025-03-09T07:00:00Z')).toEqual(new Date('2025-03-09T07:00:00Z'));
    expect(parseScheduledFor('2025-03-09T07:00:00.000Z')).toEqual(new Date('2025-03-09T07:00:00Z'));
    expect(parseScheduledFor('2025-03-09t07:00:00z')).toEqual(new Date('2025-03-09T07:00:00Z'));
  });

  it('accepts RFC 3339 with an offset', () => {
    expect(parseScheduledFor('2025-03-09T03:00:00-04:00')).toEqual(new Date('2025-03-09T07:00:00Z'));
    expect(parseScheduledFor('2025-03-30T03:00:00+02:00')).toEqual(new Date('2025-03-30T01:00:00Z'));
    expect(parseScheduledFor('2025-03-09T07:00:00+00:00')).toEqual(new Date('2025-03-09T07:00:00Z'));
  });

  it('accepts Unix seconds', () => {
    expect(parseScheduledFor('1741503600')).toEqual(new Date('2025-03-09T07:00:00Z'));
    expect(parseScheduledFor('0')).toEqual(new Date(0));
  });

  it('rejects a time without an offset', () => {
    expect(parseScheduledFor('2025-03-09T07:00:00')).toBe('invalid');
    expect(parseScheduledFor('2025-03-09 07:00:00')).toBe('invalid');
    expect(parseScheduledFor('2025-03-09')).toBe('invalid');
  });

  it('rejects garbage', () => {
    for (const raw of ['', 'now', 'yesterday', 'Sun, 09 Mar 2025 07:00:00 GMT', '2025-03-09T07:00:00+0400', '-1', '0x10', '2025-13-01T00:00:00Z', '2025-03-09T25:00:00Z']) {
      expect(parseScheduledFor(raw), JSON.stringify(raw)).toBe('invalid');
    }
  });

  it('rejects calendar dates that do not exist (RFC 3339 full-date)', () => {
    // JavaScript's Date rolls 30 February over to 2 March instead of refusing it.
    expect(parseScheduledFor('2025-02-30T00:00:00Z')).toBe('invalid');
    expect(parseScheduledFor('2025-04-31T00:00:00Z')).toBe('invalid');
  });
});
