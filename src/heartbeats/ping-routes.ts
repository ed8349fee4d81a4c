import type { Attributes, Meter } from '@opentelemetry/api';
import { Hono, type Context } from 'hono';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { PingNotStoredError } from './intake.js';
import type { HeartbeatService } from './service.js';
import { requestClientAddress, type TrustProxy } from '../http/client-address.js';
import { REQUEST_SECONDS_BUCKETS } from '../http/middleware/observe.js';
import { requestHeader } from '../http/request-header.js';
import { redactPath } from '../redact.js';
import { readPingBody, type PingBodyLimits } from './ping-body.js';
import { parseRid, parseScheduledFor, urlAction } from './ping-rules.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PING_KEY = /^[a-z0-9]{22}$/;
const SLUG = /^[-a-zA-Z0-9_]+$/;
/** What may follow a check in a ping URL ('' is the trailing slash of /ping/<uuid>/). */
const ACTION_SUFFIX = /^(|start|fail|log|[0-9]+)$/;

type PingStatus = 200 | 201 | 400 | 404 | 408 | 409 | 503;

/** What the ping endpoints need of the heartbeat service. */
export type PingService = Pick<HeartbeatService, 'ping' | 'checkExists' | 'resolveSlug'>;

/**
 * healthchecks-compatible ping endpoints: any method, no auth, plain-text
 * answers. UUID routes take precedence over slug routes, as in healthchecks.
 *
 * Pings are the service's highest-volume requests, so the app mounts them
 * ahead of its per-request span and request id (see `createApp`); they are
 * observed here instead, by one duration histogram with an attribute set
 * built once per status, and their commits are traced per batch. Answers are
 * built with plain header objects, which node writes without a `Headers` copy.
 */
export function pingRoutes(
  service: PingService,
  opts: { bodyLimit: number; bodyTimeoutMs: number; trustProxy: TrustProxy },
  deps: { clock: Clock; meter: Meter; logger: Logger },
): Hono {
  const answer = answers(opts.bodyLimit);
  const duration = deps.meter.createHistogram('overdue_ping_request_duration', { description: 'Ping request duration', unit: 's', advice: { explicitBucketBoundaries: REQUEST_SECONDS_BUCKETS } });
  const attributes = new Map<number, Attributes>();
  const bodyLimits: PingBodyLimits = { limit: opts.bodyLimit, timeoutMs: opts.bodyTimeoutMs };
  const reply = (status: PingStatus, text: string, started: number, close = false) => {
    let attrs = attributes.get(status);
    if (!attrs) attributes.set(status, (attrs = { 'http.response.status_code': status }));
    duration.record((deps.clock.now().getTime() - started) / 1000, attrs);
    return answer(status, text, close);
  };
  const app = new Hono();
  app.all('/ping/*', async (c) => {
    const started = deps.clock.now().getTime();
    const parts = c.req.path.slice('/ping/'.length).split('/');
    const head = parts[0] ?? '';
    let target: { checkId: string } | { pingKey: string; slug: string; create: boolean };
    let suffix: string | undefined;

    // `/ping/<uuid>`, `/ping/<uuid>/` and `/ping/<uuid>/<start|fail|log|exit>`; any other word after a
    // UUID is a slug lookup with the UUID as ping key, which never exists (404), as in healthchecks.
    if (UUID.test(head) && (parts.length === 1 || (parts.length === 2 && ACTION_SUFFIX.test(parts[1]!)))) {
      target = { checkId: head };
      suffix = parts[1];
    } else if (PING_KEY.test(head) && (parts.length === 2 || parts.length === 3) && SLUG.test(parts[1] ?? '') && (parts.length === 2 || (parts[2] !== '' && ACTION_SUFFIX.test(parts[2]!)))) {
      if (parts[1] !== parts[1]!.toLowerCase()) return reply(400, 'invalid url format', started);
      target = { pingKey: head, slug: parts[1]!, create: c.req.query('create') === '1' };
      suffix = parts[2];
    } else {
      return reply(404, 'not found', started);
    }

    const action = urlAction(suffix);
    const rid = parseRid(c.req.query('rid'));
    const scheduledFor = parseScheduledFor(c.req.query('scheduled_for'));
    try {
      let created = false;
      let checkId: string;
      if ('checkId' in target) {
        checkId = target.checkId;
        // healthchecks resolves the check before validating the rest: unknown check is 404 first.
        if ((action === 'invalid' || rid === 'invalid' || scheduledFor === 'invalid') && !(await service.checkExists(checkId))) {
          return reply(404, 'not found', started);
        }
      } else {
        const resolved = await service.resolveSlug(target.pingKey, target.slug, target.create);
        if (resolved === 'ambiguous') return reply(409, 'ambiguous slug', started);
        if (resolved === 'not_found') return reply(404, 'not found', started);
        checkId = resolved.checkId;
        created = resolved.created;
      }
      if (action === 'invalid') return reply(400, 'invalid url format', started);
      if (rid === 'invalid') return reply(400, 'invalid uuid format', started);
      if (scheduledFor === 'invalid') return reply(400, 'invalid scheduled_for', started);

      // Most pings are bodiless GETs; touching req.body would build a full Request for nothing.
      // A body is read only for a check that exists: an unknown UUID is answered before it.
      let body: Uint8Array | null = null;
      let close = false;
      if (mayHaveBody(c)) {
        if (!created && 'checkId' in target && !(await service.checkExists(checkId))) return reply(404, 'not found', started, true);
        const read = await readPingBody(c, bodyLimits);
        if (read.kind === 'incomplete') return reply(408, 'request timeout', started, true);
        body = read.bytes;
        close = read.cut;
      }
      const outcome = await service.ping({
        checkId,
        action: action.action,
        exitStatus: action.exitStatus,
        method: c.req.method.slice(0, 10),
        scheme: (opts.trustProxy ? requestHeader(c, 'x-forwarded-proto') : undefined)?.slice(0, 10) || 'http',
        remoteAddr: requestClientAddress(c, opts.trustProxy),
        ua: (requestHeader(c, 'user-agent') ?? '').slice(0, 200),
        body,
        rid,
        scheduledFor,
      });
      if (outcome === 'not_found') return reply(404, 'not found', started, close);
      if (outcome === 'invalid_scheduled_for') return reply(400, 'invalid scheduled_for', started, close);
      return created ? reply(201, 'Created', started, close) : reply(200, 'OK', started, close);
    } catch (err) {
      // Nothing was stored: tell the client to retry. The intake logs its own failures;
      // a lookup before it (slug, check existence) is logged here.
      if (!(err instanceof PingNotStoredError)) deps.logger.error({ err, path: redactPath(c.req.path) }, 'ping lookup failed; answered 503');
      return reply(503, 'service unavailable', started);
    }
  });
  return app;
}

/** Answers as healthchecks gives them: plain text, with headers built once. */
function answers(bodyLimit: number): (status: PingStatus, text: string, close: boolean) => Response {
  const headers: Record<string, string> = {
    'Content-Type': 'text/plain; charset=UTF-8',
    'Access-Control-Allow-Origin': '*',
    'Cache-Control': 'no-cache',
    ...(bodyLimit > 0 && { 'Ping-Body-Limit': String(bodyLimit) }),
  };
  // A 503 stored nothing: the client should retry.
  const retry = { ...headers, 'Retry-After': '5' };
  // A body left unread (too long, too slow, or for an unknown check) ends the connection.
  const closing = { ...headers, Connection: 'close' };
  return (status, text, close) => new Response(text, { status, headers: status === 503 ? retry : close ? closing : headers });
}

function mayHaveBody(c: Context): boolean {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return true;
  return requestHeader(c, 'content-length') !== undefined || requestHeader(c, 'transfer-encoding') !== undefined;
}
