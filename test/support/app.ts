import type { Migration } from 'kysely';
import { metrics, tracing } from '@opentelemetry/sdk-node';
import type { LoopSpec } from '../../src/background.js';
import type { JobDefinition } from '../../src/scheduler/runner.js';
import type { PaymentProvider } from '../../src/billing/providers.js';
import type { LoadedCheck } from '../../src/expectations/loader.js';
import type { MailSender } from '../../src/notify/senders.js';
import { loadConfig, type Tuning } from '../../src/config.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { createOverdue, type Overdue } from '../../src/overdue.js';
import { createTelemetry, type Telemetry } from '../../src/telemetry.js';
import type { Logger } from '../../src/logger.js';
import { ManualClock } from './clock.js';
import { capturingLogger } from './quiet.js';

export interface TestOverdue extends Overdue {
  clock: ManualClock;
  telemetry: Telemetry;
  spans: tracing.InMemorySpanExporter;
  metricReader: metrics.MetricReader;
  logs: Record<string, any>[];
}

export interface TestTelemetry {
  telemetry: Telemetry;
  spans: tracing.InMemorySpanExporter;
  metricReader: metrics.MetricReader;
}

/** Telemetry with in-memory span and metric readers. Pass its tracer to testDatabase to see query spans. */
export function testTelemetry(): TestTelemetry {
  const spans = new tracing.InMemorySpanExporter();
  const metricReader = new ManualMetricReader();
  const telemetry = createTelemetry({ serviceName: 'overdue-test', spanExporters: [spans], metricReaders: [metricReader] });
  return { telemetry, spans, metricReader };
}

/** The real service graph on a test database, a manual clock and in-memory telemetry. */
export function testOverdue(opts: {
  database: DatabaseHandle;
  telemetry?: TestTelemetry;
  env?: Record<string, string>;
  clock?: ManualClock;
  migrations?: Record<string, Migration>;
  loops?: LoopSpec[];
  jobs?: JobDefinition[];
  logger?: Logger;
  paymentProvider?: PaymentProvider;
  /** Checks-as-code; none unless given (the shipped checks/ are loaded only when asked for). */
  checks?: LoadedCheck[];
  mailSender?: MailSender;
  /** Tuning numbers that have no environment variable (short timeouts for tests). */
  tuning?: Partial<Tuning>;
  /** false: only the jobs given (and checks'), none of the built-in ones: every run a test sees is its own job's. */
  builtinJobs?: boolean;
}): TestOverdue {
  const loaded = loadConfig({ LOG_LEVEL: 'debug', MIGRATE: 'off', ...opts.env });
  const config = opts.tuning ? { ...loaded, tuning: { ...loaded.tuning, ...opts.tuning } } : loaded;
  const clock = opts.clock ?? new ManualClock();
  const { telemetry, spans, metricReader } = opts.telemetry ?? testTelemetry();
  const captured = capturingLogger();
  const overdue = createOverdue({
    config,
    clock,
    logger: opts.logger ?? captured.logger,
    telemetry,
    database: opts.database,
    ...(opts.migrations && { migrations: opts.migrations }),
    ...(opts.loops && { loops: opts.loops }),
    ...(opts.jobs && { jobs: opts.jobs }),
    ...(opts.paymentProvider && { paymentProvider: opts.paymentProvider }),
    checks: opts.checks ?? [],
    ...(opts.mailSender && { mailSender: opts.mailSender }),
    ...(opts.builtinJobs !== undefined && { builtinJobs: opts.builtinJobs }),
  });
  return Object.assign(overdue, { clock, telemetry, spans, metricReader, logs: captured.lines });
}

/** A metric reader read on demand. */
export class ManualMetricReader extends metrics.MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** The current value of a gauge or sum, by instrument name (first data point). */
export async function metricValue(reader: metrics.MetricReader, name: string, attrs?: Record<string, string>): Promise<number | undefined> {
  const { resourceMetrics } = await reader.collect();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      const point = metric.dataPoints.find((p) => !attrs || Object.entries(attrs).every(([k, v]) => p.attributes[k] === v));
      return point ? (point.value as number) : undefined;
    }
  }
  return undefined;
}

/** Tests that jump the clock ahead are not about Overdue's own outages unless they say so. */
export const NO_OUTAGE = { MONITOR_OUTAGE_THRESHOLD: '86400' };

/**
 * A started instance whose background loops are stopped, so the test drives
 * `alerts.tick()` and `scheduler.tick()` itself on its manual clock.
 */
export async function drivenOverdue(opts: {
  database: DatabaseHandle;
  clock: ManualClock;
  jobs?: JobDefinition[];
  env?: Record<string, string>;
  checks?: LoadedCheck[];
  mailSender?: MailSender;
  builtinJobs?: boolean;
}): Promise<TestOverdue & { pingKey: string }> {
  const o = testOverdue({
    database: opts.database,
    clock: opts.clock,
    ...(opts.jobs && { jobs: opts.jobs }),
    ...(opts.checks && { checks: opts.checks }),
    ...(opts.mailSender && { mailSender: opts.mailSender }),
    ...(opts.builtinJobs !== undefined && { builtinJobs: opts.builtinJobs }),
    env: { ...NO_OUTAGE, ...opts.env },
  });
  const report = await o.start();
  await o.background.stop();
  return Object.assign(o, { pingKey: report.platformPingKey! });
}

/** Ticks a delivery worker until three empty ticks in a row; returns how many deliveries it attempted. */
export async function drainDeliveries(o: Pick<TestOverdue, 'deliveries'>): Promise<number> {
  let attempted = 0;
  for (let idle = 0; idle < 3; ) {
    const n = await o.deliveries.tick();
    attempted += n;
    idle = n === 0 ? idle + 1 : 0;
  }
  return attempted;
}

/** What the background would run for an alert: the deadline evaluator, the alert dispatcher, the delivery worker until idle. */
export async function pumpAlerts(o: Pick<TestOverdue, 'alerts' | 'alertDispatcher' | 'deliveries'>): Promise<void> {
  await o.alerts.tick();
  await o.alertDispatcher.tick();
  await drainDeliveries(o);
}
