import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env, () => 'from-file');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('has defaults that run the embedded database on port 3000', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe('./data');
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.migrate).toBe('on');
    expect(config.httpBodyLimitBytes).toBe(1024 * 1024);
    expect(config.otel.endpoint).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.otel)).toBe(true);
  });

  it('reads every variable it documents', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db:5432/overdue',
      DATA_DIR: '/var/lib/overdue',
      PUBLIC_URL: 'https://status.example.com/',
      SMTP_URL: 'smtp://user:pass@mail:587',
      LOG_LEVEL: 'warn',
      MIGRATE: 'off',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=abc,x-team=ops%20team',
      OTEL_SERVICE_NAME: 'overdue-eu',
    });
    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: 'postgres://u:p@db:5432/overdue',
      dataDir: '/var/lib/overdue',
      publicUrl: 'https://status.example.com',
      smtpUrl: 'smtp://user:pass@mail:587',
      logLevel: 'warn',
      migrate: 'off',
      otel: { endpoint: 'http://collector:4318', headers: { 'api-key': 'abc', 'x-team': 'ops team' }, serviceName: 'overdue-eu' },
    });
  });

  it('names every bad variable on its own line with what it expects', () => {
    const lines = problems({ PORT: 'eighty', LOG_LEVEL: 'loud', MIGRATE: 'maybe', PUBLIC_URL: 'ftp://x' });
    expect(lines).toHaveLength(4);
    expect(lines).toContain('PORT: expected an integer TCP port from 0 to 65535 (got "eighty")');
    expect(lines.find((l) => l.startsWith('LOG_LEVEL: expected one of fatal'))).toBeDefined();
    expect(lines.find((l) => l.startsWith('MIGRATE: expected "on" or "off"'))).toBeDefined();
    expect(lines.find((l) => l.startsWith('PUBLIC_URL: expected an absolute http(s) URL'))).toBeDefined();
  });

  it('TRUST_PROXY: true, false, or the proxies as addresses and CIDR ranges', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).heartbeats.trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'off' }).heartbeats.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.0.2.7,fd00::/8' }).heartbeats.trustProxy).toEqual(['10.0.0.0/8', '192.0.2.7', 'fd00::/8']);
    for (const bad of ['yes please', '10.0.0.0/33', '10.0.0.1/8/2', 'proxy.example.com']) expect(problems({ TRUST_PROXY: bad })[0], bad).toMatch(/^TRUST_PROXY: expected true, false, or the proxies/);
  });

  it('rejects out-of-range numbers', () => {
    expect(problems({ PORT: '70000' })).toEqual(['PORT: expected an integer TCP port from 0 to 65535 (got "70000")']);
    expect(problems({ PORT: '-1' })[0]).toMatch(/^PORT: /);
  });

  it('never echoes secret values', () => {
    const lines = problems({ DATABASE_URL: 'mysql://root:hunter2@db/x', OVERDUE_ADMIN_KEY: 'short-secret' });
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toMatch(/hunter2|short-secret/);
    expect(lines[0]).toMatch(/^DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ connection URL$/);
  });

  it('reads secrets from *_FILE and refuses both forms at once', () => {
    const config = loadConfig({ DATABASE_URL_FILE: '/run/secrets/db' }, () => 'postgres://from-file/db\n');
    expect(config.databaseUrl).toBe('postgres://from-file/db');
    expect(problems({ DATABASE_URL: 'postgres://a/b', DATABASE_URL_FILE: '/x' })).toEqual([
      'DATABASE_URL_FILE: expected only one of DATABASE_URL and DATABASE_URL_FILE to be set',
    ]);
  });

  it('METRICS_TOKEN: a Bearer token, never echoed, also from METRICS_TOKEN_FILE', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: 'abcdefghijklmnopqrstuvwx_-.~+/=' }).metricsToken).toBe('abcdefghijklmnopqrstuvwx_-.~+/=');
    expect(loadConfig({ METRICS_TOKEN_FILE: '/run/secrets/metrics' }, () => 'a'.repeat(32) + '\n').metricsToken).toBe('a'.repeat(32));
    for (const bad of ['too-short', 'has spaces in it, which a header cannot carry', `${'a'.repeat(30)}"quoted"`]) {
      const lines = problems({ METRICS_TOKEN: bad });
      expect(lines, bad).toEqual(['METRICS_TOKEN: expected 24 to 200 characters of A-Z a-z 0-9 - . _ ~ + / (a Bearer token, e.g. openssl rand -hex 32)']);
    }
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '  ' }).port).toBe(3000);
  });
});
