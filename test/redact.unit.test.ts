import { describe, expect, it } from 'vitest';
import { redactPath, redactTokens, redactUrl } from '../src/redact.js';

describe('redaction of what must not reach a log', () => {
  it('paths: check UUIDs, ping keys and API keys become ***; slugs and words stay', () => {
    expect(redactPath('/ping/5f0c8a54-3b7e-4c1d-9a2e-6f1b2c3d4e5f/start')).toBe('/ping/***/start');
    expect(redactPath('/ping/abcdefghij0123456789kl/nightly-backup')).toBe('/ping/***/nightly-backup');
    expect(redactPath('/api/v1/keys/od_admin_Zx-9_abc/revoke')).toBe('/api/v1/keys/***/revoke');
    expect(redactPath('/api/v3/checks/')).toBe('/api/v3/checks/');
    // 21 or 23 characters is not a ping key; a slug of 22 with a hyphen is not one either.
    expect(redactPath('/ping/x/abcdefghij0123456789k')).toBe('/ping/x/abcdefghij0123456789k');
    expect(redactPath('/ping/x/nightly-backup-of-the-db')).toBe('/ping/x/nightly-backup-of-the-db');
  });

  it('URLs: the password and the path\'s and query\'s secrets (SELF_PING_URL was logged whole)', () => {
    expect(redactUrl('https://hc-ping.com/5f0c8a54-3b7e-4c1d-9a2e-6f1b2c3d4e5f')).toBe('https://hc-ping.com/***');
    expect(redactUrl('https://user:secret@example.com/ping/abcdefghij0123456789kl/job?rid=5f0c8a54-3b7e-4c1d-9a2e-6f1b2c3d4e5f')).toBe(
      'https://user:***@example.com/ping/***/job?rid=***',
    );
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/overdue')).toBe('postgres://postgres@127.0.0.1:5432/overdue');
    expect(redactUrl('not a url')).toBe('(unparseable url)');
  });

  it('mail: token parameters', () => {
    expect(redactTokens('Confirm: https://x.example/subscriptions/confirm?token=abc.DEF-123_x&next=1')).toBe('Confirm: https://x.example/subscriptions/confirm?token=[redacted]&next=1');
    expect(redactTokens('<a href="/channels/confirm?token=q1w2">')).toBe('<a href="/channels/confirm?token=[redacted]">');
  });
});
