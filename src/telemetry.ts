import { context, trace, type Meter, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { metrics, resources, tracing } from '@opentelemetry/sdk-node';
import type { Config } from './config.js';

export interface Telemetry {
  tracer: Tracer;
  meter: Meter;
  /**
   * The service's own metrics now, in Prometheus text (exposition format
   * 0.0.4), for `GET /metrics`: collected on demand by a pull reader beside
   * the other readers (OTLP, tests' in-memory ones), which keep working.
   */
  prometheusText(): Promise<string>;
  /** Flushes pending spans and metrics to their exporters. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  serviceName: string;
  /** OTLP/HTTP base URL; when absent nothing is exported over the network. */
  endpoint?: string | undefined;
  headers?: Record<string, string>;
  metricExportIntervalMs?: number;
  /** Extra exporters and readers, e.g. in-memory ones in tests. */
  spanExporters?: tracing.SpanExporter[];
  metricReaders?: metrics.MetricReader[];
}

/**
 * Builds the tracer and meter handed to every part of the service. Providers
 * are created here and passed explicitly rather than registered as OTel
 * globals, so two service instances in one process (as in tests) keep their
 * own exporters. Only the context manager is process-wide: it is stateless and
 * is what lets database spans nest under the request span that caused them.
 */
export function createTelemetry(opts: TelemetryOptions): Telemetry {
  const resource = resources.resourceFromAttributes({ 'service.name': opts.serviceName });

  const spanProcessors: tracing.SpanProcessor[] = [];
  const readers: metrics.MetricReader[] = [...(opts.metricReaders ?? [])];
  // A pull reader without its own HTTP server (the exporter can listen on a port of
  // its own; here the app's /metrics route asks it, behind the app's authentication).
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const serializer = new PrometheusSerializer();
  readers.push(prometheus);
  if (opts.endpoint) {
    const headers = opts.headers ?? {};
    spanProcessors.push(
      new tracing.BatchSpanProcessor(new OTLPTraceExporter({ url: `${opts.endpoint}/v1/traces`, headers })),
    );
    readers.push(
      new metrics.PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${opts.endpoint}/v1/metrics`, headers }),
        exportIntervalMillis: opts.metricExportIntervalMs ?? 60_000,
      }),
    );
  }
  for (const exporter of opts.spanExporters ?? []) spanProcessors.push(new tracing.SimpleSpanProcessor(exporter));

  const tracerProvider = new tracing.BasicTracerProvider({ resource, spanProcessors });
  const meterProvider = new metrics.MeterProvider({ resource, readers });
  // With nothing to export spans to, hand out a non-recording tracer and keep
  // the async context manager off: every request and query would otherwise pay
  // for spans nobody reads (measured: a few % of each ping's CPU).
  const tracing_ = spanProcessors.length > 0;
  if (tracing_) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  return {
    tracer: tracing_ ? tracerProvider.getTracer('overdue') : trace.getTracer('overdue-noop'),
    meter: meterProvider.getMeter('overdue'),
    prometheusText: async () => {
      // Cumulative totals since start: collecting does not reset what other readers see.
      const { resourceMetrics } = await prometheus.collect();
      return serializer.serialize(resourceMetrics);
    },
    flush: async () => {
      await Promise.all([tracerProvider.forceFlush(), meterProvider.forceFlush()]);
    },
    shutdown: async () => {
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}

export function telemetryFromConfig(config: Config): Telemetry {
  const { otel } = config;
  return createTelemetry({
    serviceName: otel.serviceName,
    endpoint: otel.disabled ? undefined : otel.endpoint,
    headers: otel.headers,
    metricExportIntervalMs: otel.metricExportIntervalMs,
  });
}
