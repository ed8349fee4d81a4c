import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { isAddressList } from './http/address-list.js';

/**
 * Configuration, parsed once at start from the environment. `loadConfig` is a
 * function of the environment object (plus a file reader for `*_FILE`
 * secrets), so tests pass plain objects. Secret values are never echoed in
 * error messages.
 */
export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  databasePoolMax: number;
  databaseConnectTimeoutMs: number;
  migrate: 'on' | 'off';
  adminKey: string | undefined;
  smtpUrl: string | undefined;
  /** Folder of checks-as-code loaded at start. */
  checksDir: string;
  mailFrom: string;
  webhookAllowPrivate: string | undefined;
  /** Seals alert channels' secrets at rest (SECRET_KEY); without it a generated key is kept in the database. */
  secretKey: string | undefined;
  /** Bearer token that may read GET /metrics (METRICS_TOKEN); the admin key may too. */
  metricsToken: string | undefined;
  /** PagerDuty Events API v2 endpoint (PAGERDUTY_EVENTS_URL), overridable for tests and EU accounts. */
  pagerDutyEventsUrl: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  httpBodyLimitBytes: number;
  shutdownTimeoutMs: number;
  schemaCheckIntervalMs: number;
  selfPing: { url: string | undefined; intervalMs: number };
  scheduler: { leaseMs: number; horizonMs: number };
  heartbeats: {
    /** TRUST_PROXY: no proxy, every proxy, or the listed proxies' addresses and ranges. */
    trustProxy: boolean | string[];
    pingBodyLimitBytes: number;
    pingLogLimit: number;
    autoCreateLimit: number;
    alertCapMs: number;
    monitorOutageThresholdMs: number;
    commitWaitMs: number;
    commitConcurrency: number;
  };
  /**
   * Tuning numbers with sound defaults and no environment variable: batch
   * sizes, intervals and limits that a deployment should not need to change,
   * kept here (not in the code that uses them) so tests and operators see
   * them in one place.
   */
  tuning: Tuning;
  otel: {
    serviceName: string;
    endpoint: string | undefined;
    headers: Record<string, string>;
    metricExportIntervalMs: number;
    disabled: boolean;
  };
}

export interface Tuning {
  /** Due checks the deadline evaluator flips per transaction. */
  alertBatch: number;
  /** Most pings in one group commit. */
  pingBatchMax: number;
  /** Failing signals of one source within an hour beyond which it is flapping (its incident stays open). */
  flapLimit: number;
  /** How long a flapping source must stay recovered before its incident resolves. */
  flapStableMs: number;
  /** A source failing again this soon after its incident resolved reopens that incident. */
  reopenWithinMs: number;
  /** Pause between fan-outs of notification events into deliveries. */
  fanOutIntervalMs: number;
  /** Deliveries one worker tick claims. */
  deliveryBatch: number;
  /** How long a claimed delivery is held before another worker may retry it. */
  deliveryLeaseMs: number;
  /** Longest wait for a webhook receiver's answer. */
  webhookTimeoutMs: number;
  /** A subscriber failing this long is quarantined. */
  quarantineAfterMs: number;
  /** Idempotency keys are kept at least this long (a little over a day). */
  idempotencyKeepMs: number;
  /** Signals and alert events the alert dispatcher turns into deliveries per transaction. */
  alertDispatchBatch: number;
  /** Pause between alert dispatches when nothing wakes it (an idle tick is one indexed probe). */
  alertDispatchIntervalMs: number;
  /** Attempts to handle a signal before the incident loop parks it. */
  signalMaxAttempts: number;
  /** First retry delay of a signal whose handling failed; doubles per attempt (5 s, 10 s, 20 s, 40 s). */
  signalRetryBaseMs: number;
  /** A ping's whole body must arrive within this; a slower client is answered 408 and stored nothing. */
  pingBodyTimeoutMs: number;
}

export const DEFAULT_TUNING: Tuning = Object.freeze({
  alertBatch: 500,
  pingBatchMax: 256,
  flapLimit: 3,
  flapStableMs: 30 * 60_000,
  reopenWithinMs: 60 * 60_000,
  fanOutIntervalMs: 1000,
  deliveryBatch: 20,
  deliveryLeaseMs: 60_000,
  webhookTimeoutMs: 10_000,
  quarantineAfterMs: 24 * 3_600_000,
  idempotencyKeepMs: 25 * 3_600_000,
  alertDispatchBatch: 500,
  alertDispatchIntervalMs: 250,
  signalMaxAttempts: 5,
  signalRetryBaseMs: 5_000,
  pingBodyTimeoutMs: 10_000,
});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

interface Var<T> {
  schema: z.ZodType<T>;
  expect: string;
  secret?: boolean;
}

const int = (min: number, max: number) =>
  z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(min).max(max));
const url = (protocols: string[]) =>
  z.string().refine((s) => {
    try {
      return protocols.includes(new URL(s).protocol);
    } catch {
      return false;
    }
  });
const bool = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']))
  .transform((s) => ['true', '1', 'yes', 'on'].includes(s));
const headerList = z
  .string()
  .regex(/^\s*[^=,\s]+\s*=[^,]*(,\s*[^=,\s]+\s*=[^,]*)*$/)
  .transform((s) =>
    Object.fromEntries(
      s.split(',').map((pair) => {
        const i = pair.indexOf('=');
        return [pair.slice(0, i).trim(), decodeURIComponent(pair.slice(i + 1).trim())];
      }),
    ),
  );

const vars = {
  PORT: { schema: int(0, 65535), expect: 'an integer TCP port from 0 to 65535' },
  HOST: { schema: z.string().min(1), expect: 'a host name or address to listen on' },
  PUBLIC_URL: { schema: url(['http:', 'https:']), expect: 'an absolute http(s) URL' },
  DATABASE_URL: {
    schema: url(['postgres:', 'postgresql:']),
    expect: 'a postgres:// or postgresql:// connection URL',
    secret: true,
  },
  DATA_DIR: { schema: z.string().min(1), expect: 'a directory path' },
  DATABASE_POOL_MAX: { schema: int(1, 1000), expect: 'an integer from 1 to 1000' },
  DATABASE_CONNECT_TIMEOUT: { schema: int(1, 3600), expect: 'whole seconds from 1 to 3600' },
  MIGRATE: { schema: z.enum(['on', 'off']), expect: '"on" or "off"' },
  OVERDUE_ADMIN_KEY: {
    schema: z.string().regex(/^[A-Za-z0-9_\-.]{24,200}$/),
    expect: '24 to 200 characters of A-Z a-z 0-9 _ - .',
    secret: true,
  },
  SMTP_URL: { schema: url(['smtp:', 'smtps:']), expect: 'an smtp:// or smtps:// URL', secret: true },
  CHECKS_DIR: { schema: z.string().min(1), expect: 'the folder of checks-as-code (default ./checks)' },
  MAIL_FROM: { schema: z.string().min(3).max(200).regex(/^[^\r\n]+$/), expect: 'the From address of outgoing mail, e.g. "Status <status@example.com>"' },
  WEBHOOK_ALLOW_PRIVATE: {
    schema: z.string().regex(/^[0-9a-fA-F:.\/, ]*$/),
    expect: 'addresses or CIDR ranges, comma-separated, that webhooks may reach although private',
  },
  SECRET_KEY: { schema: z.string().min(32).max(500), expect: 'at least 32 characters (it seals alert channel secrets)', secret: true },
  METRICS_TOKEN: {
    schema: z.string().regex(/^[A-Za-z0-9\-._~+/]{24,200}=*$/),
    expect: '24 to 200 characters of A-Z a-z 0-9 - . _ ~ + / (a Bearer token, e.g. openssl rand -hex 32)',
    secret: true,
  },
  PAGERDUTY_EVENTS_URL: { schema: url(['http:', 'https:']), expect: 'the PagerDuty Events API v2 URL' },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    expect: 'one of fatal, error, warn, info, debug, trace, silent',
  },
  HTTP_BODY_LIMIT: { schema: int(1024, 1024 ** 3), expect: 'bytes, an integer from 1024 to 1073741824' },
  SHUTDOWN_TIMEOUT: { schema: int(0, 600), expect: 'whole seconds from 0 to 600' },
  SCHEMA_CHECK_INTERVAL: { schema: int(1, 3600), expect: 'whole seconds from 1 to 3600' },
  SELF_PING_URL: { schema: url(['http:', 'https:']), expect: 'an http(s) ping URL of another monitor', secret: true },
  SELF_PING_INTERVAL: { schema: int(1, 86_400), expect: 'whole seconds from 1 to 86400' },
  SCHEDULER_LEASE: { schema: int(3, 3600), expect: 'whole seconds from 3 to 3600' },
  SCHEDULER_HORIZON: { schema: int(60, 90 * 86_400), expect: 'whole seconds of missed slots to catch up, 60 to 7776000' },
  TRUST_PROXY: {
    schema: z.union([bool, z.string().refine(isAddressList).transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))]),
    expect: 'true, false, or the proxies\' addresses and CIDR ranges, comma-separated (client addresses then come from X-Forwarded-For)',
  },
  PING_BODY_LIMIT: { schema: int(0, 100 * 1024 * 1024), expect: 'bytes of a ping body to keep, 0 for unlimited' },
  PING_LOG_LIMIT: { schema: int(1, 100_000), expect: 'how many pings to keep per check, 1 to 100000' },
  PING_AUTO_CREATE_LIMIT: { schema: int(0, 1_000_000), expect: 'how many checks one ping key may auto-create' },
  ALERT_LOOP_CAP: { schema: int(50, 60_000), expect: 'milliseconds from 50 to 60000' },
  PING_COMMIT_WAIT: { schema: int(0, 100), expect: 'milliseconds a ping waits for its batch, 0 to 100' },
  PING_COMMIT_CONCURRENCY: { schema: int(1, 64), expect: 'ping batches committing at once on Postgres, 1 to 64' },
  MONITOR_OUTAGE_THRESHOLD: { schema: int(1, 86_400), expect: 'whole seconds from 1 to 86400' },
  OTEL_SERVICE_NAME: { schema: z.string().min(1), expect: 'a service name' },
  OTEL_EXPORTER_OTLP_ENDPOINT: { schema: url(['http:', 'https:']), expect: 'an http(s) URL of an OTLP/HTTP collector' },
  OTEL_EXPORTER_OTLP_HEADERS: { schema: headerList, expect: 'a list like key1=value1,key2=value2', secret: true },
  OTEL_METRIC_EXPORT_INTERVAL: { schema: int(1000, 86_400_000), expect: 'milliseconds from 1000 to 86400000' },
  OTEL_SDK_DISABLED: { schema: bool, expect: 'true or false' },
} satisfies Record<string, Var<unknown>>;

type Vars = typeof vars;
type Parsed = { [K in keyof Vars]: z.output<Vars[K]['schema']> | undefined };

const SECRET_FILES = ['DATABASE_URL', 'OVERDUE_ADMIN_KEY', 'SMTP_URL', 'OTEL_EXPORTER_OTLP_HEADERS', 'SECRET_KEY', 'METRICS_TOKEN'] as const;

export function loadConfig(
  env: Record<string, string | undefined>,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): Config {
  const problems: string[] = [];
  const raw: Record<string, string | undefined> = {};
  for (const name of Object.keys(vars)) {
    const value = env[name];
    raw[name] = value === undefined || value.trim() === '' ? undefined : value.trim();
  }
  // `X_FILE` names a file holding the secret (Docker/Kubernetes secrets).
  for (const name of SECRET_FILES) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    if (raw[name] !== undefined) {
      problems.push(`${name}_FILE: expected only one of ${name} and ${name}_FILE to be set`);
      continue;
    }
    try {
      raw[name] = readFile(file).trim();
    } catch (err) {
      problems.push(`${name}_FILE: expected a readable file (${(err as NodeJS.ErrnoException).code ?? 'unreadable'}: ${file})`);
    }
  }

  const parsed = {} as Record<string, unknown>;
  for (const [name, spec] of Object.entries(vars) as [string, Var<unknown>][]) {
    const value = raw[name];
    if (value === undefined) continue;
    const result = spec.schema.safeParse(value);
    if (result.success) parsed[name] = result.data;
    else problems.push(`${name}: expected ${spec.expect}${spec.secret ? '' : ` (got ${JSON.stringify(value)})`}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const p = parsed as Parsed;
  const port = p.PORT ?? 3000;
  return deepFreeze({
    port,
    host: p.HOST ?? '0.0.0.0',
    publicUrl: (p.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    databaseUrl: p.DATABASE_URL,
    dataDir: p.DATA_DIR ?? './data',
    databasePoolMax: p.DATABASE_POOL_MAX ?? 10,
    databaseConnectTimeoutMs: (p.DATABASE_CONNECT_TIMEOUT ?? 30) * 1000,
    migrate: p.MIGRATE ?? 'on',
    adminKey: p.OVERDUE_ADMIN_KEY,
    smtpUrl: p.SMTP_URL,
    checksDir: p.CHECKS_DIR ?? 'checks',
    mailFrom: p.MAIL_FROM ?? 'Overdue <overdue@localhost>',
    webhookAllowPrivate: p.WEBHOOK_ALLOW_PRIVATE,
    secretKey: p.SECRET_KEY,
    metricsToken: p.METRICS_TOKEN,
    pagerDutyEventsUrl: p.PAGERDUTY_EVENTS_URL ?? 'https://events.pagerduty.com/v2/enqueue',
    logLevel: p.LOG_LEVEL ?? 'info',
    httpBodyLimitBytes: p.HTTP_BODY_LIMIT ?? 1024 * 1024,
    shutdownTimeoutMs: (p.SHUTDOWN_TIMEOUT ?? 10) * 1000,
    schemaCheckIntervalMs: (p.SCHEMA_CHECK_INTERVAL ?? 60) * 1000,
    selfPing: { url: p.SELF_PING_URL, intervalMs: (p.SELF_PING_INTERVAL ?? 60) * 1000 },
    scheduler: { leaseMs: (p.SCHEDULER_LEASE ?? 30) * 1000, horizonMs: (p.SCHEDULER_HORIZON ?? 7 * 86_400) * 1000 },
    heartbeats: {
      trustProxy: p.TRUST_PROXY ?? false,
      pingBodyLimitBytes: p.PING_BODY_LIMIT ?? 100_000,
      pingLogLimit: p.PING_LOG_LIMIT ?? 100,
      autoCreateLimit: p.PING_AUTO_CREATE_LIMIT ?? 1000,
      alertCapMs: p.ALERT_LOOP_CAP ?? 1000,
      monitorOutageThresholdMs: (p.MONITOR_OUTAGE_THRESHOLD ?? 30) * 1000,
      commitWaitMs: p.PING_COMMIT_WAIT ?? 2,
      commitConcurrency: p.PING_COMMIT_CONCURRENCY ?? 4,
    },
    tuning: { ...DEFAULT_TUNING },
    otel: {
      serviceName: p.OTEL_SERVICE_NAME ?? 'overdue',
      endpoint: p.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, ''),
      headers: p.OTEL_EXPORTER_OTLP_HEADERS ?? {},
      metricExportIntervalMs: p.OTEL_METRIC_EXPORT_INTERVAL ?? 60_000,
      disabled: p.OTEL_SDK_DISABLED ?? false,
    },
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
