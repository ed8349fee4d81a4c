import { SpanKind, SpanStatusCode, type Meter, type Tracer } from '@opentelemetry/api';
import type { MiddlewareHandler } from 'hono';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import { redactPath } from '../../redact.js';

/**
 * One server span and one log line per request, both carrying the request id.
 * The span is named after the matched route (`GET /api/v1/jobs/:key`), not the
 * raw path, so traces group by endpoint.
 */
/**
 * Bucket bounds, in seconds, for request durations: OpenTelemetry's
 * semantic-convention advice for `http.server.request.duration`. The SDK's
 * default bounds (0–10000) are made for milliseconds and would put every
 * request in the first bucket.
 */
export const REQUEST_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export function observeRequests(deps: { tracer: Tracer; meter: Meter; logger: Logger; clock: Clock }): MiddlewareHandler {
  const duration = deps.meter.createHistogram('overdue_http_request_duration', {
    description: 'HTTP request duration',
    unit: 's',
    advice: { explicitBucketBoundaries: REQUEST_SECONDS_BUCKETS },
  });
  return (c, next) =>
    deps.tracer.startActiveSpan(
      `${c.req.method}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': c.req.method, 'url.path': redactPath(c.req.path) } },
      async (span) => {
        const started = deps.clock.now().getTime();
        try {
          await next();
        } finally {
          const route = c.req.routePath && c.req.routePath !== '/*' ? c.req.routePath : undefined;
          const status = c.res.status;
          span.updateName(route ? `${c.req.method} ${route}` : c.req.method);
          if (route) span.setAttribute('http.route', route);
          span.setAttribute('http.response.status_code', status);
          const requestId = c.get('requestId') as string | undefined;
          if (requestId) span.setAttribute('overdue.request_id', requestId);
          if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
          const seconds = (deps.clock.now().getTime() - started) / 1000;
          duration.record(seconds, { 'http.request.method': c.req.method, 'http.route': route ?? 'unmatched', 'http.response.status_code': status });
          deps.logger.debug({ requestId, method: c.req.method, path: redactPath(c.req.path), status, ms: Math.round(seconds * 1000) }, 'request');
        }
      },
    );
}
