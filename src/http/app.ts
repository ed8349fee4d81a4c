import type { Meter, Tracer } from '@opentelemetry/api';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId, type RequestIdVariables } from 'hono/request-id';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { handleError, jsonError } from './errors.js';
import { healthRoutes, type ReadinessDeps } from './health.js';
import { serviceMetricsRoutes } from './metrics.js';
import { recordKeyUse, requireApiKey, type AuthVariables } from './middleware/api-key.js';
import { observeRequests } from './middleware/observe.js';
import type { IdempotencyVariables } from './middleware/idempotency.js';
import { refuseControlCharactersInUrl } from './json-body.js';
import { apiRouter, jsonResponse, openApiDocument, operation, z } from './openapi.js';

export type AppEnv = { Variables: RequestIdVariables & AuthVariables & IdempotencyVariables };

export interface AppDeps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  tracer: Tracer;
  meter: Meter;
  bodyLimitBytes: number;
  readiness: ReadinessDeps;
  /** Feature routers; each owns its paths. /api/v1 routes carry their OpenAPI description (http/openapi.ts). */
  routes?: Hono<any>[];
  /**
   * Routers for high-volume machine traffic (pings), mounted ahead of the
   * per-request span, request id and body limit; they observe themselves.
   */
  volumeRoutes?: Hono<any>[];
  /** `GET /metrics`: the service's own metrics, behind METRICS_TOKEN or the admin key. */
  serviceMetrics?: { token: string | undefined; render(): Promise<string> };
}

const Me = z.object({ key_id: z.string().openapi({ format: 'uuid' }), kind: z.enum(['admin', 'tenant']), tenant_id: z.string().nullable().openapi({ format: 'uuid' }), read_only: z.boolean() });

/**
 * The HTTP surface. Feature routers are mounted here; each translates HTTP to
 * its service and back. Errors from anywhere end in the one `onError`.
 */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.onError(handleError(deps.logger));
  // Registered first, so their handlers answer before any middleware below runs.
  for (const routes of deps.volumeRoutes ?? []) app.route('/', routes);
  app.use(requestId({ limitLength: 128 }));
  app.use(observeRequests(deps));
  app.use(recordKeyUse(deps));
  const limitBody = bodyLimit({
    maxSize: deps.bodyLimitBytes,
    onError: (c) => jsonError(c, 413, 'payload_too_large', `request body exceeds ${deps.bodyLimitBytes} bytes`),
  });
  // GET and HEAD carry no body to limit, and checking one costs the status page's hot path a full request object.
  // (Pings, mounted above, keep the first PING_BODY_LIMIT bytes instead of refusing, as healthchecks does.)
  app.use((c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next)));
  // Mounted on every path (a '/api/*' pattern would name unmatched requests' spans after itself).
  app.use((c, next) => (c.req.path.startsWith('/api/') ? refuseControlCharactersInUrl(c, next) : next()));
  for (const routes of deps.routes ?? []) app.route('/', routes);
  app.notFound((c) => jsonError(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`));

  app.route('/', healthRoutes(deps.readiness));
  if (deps.serviceMetrics) app.route('/', serviceMetricsRoutes({ db: deps.db, ...deps.serviceMetrics }));

  const v1 = apiRouter<AppEnv>();
  operation(
    v1,
    {
      method: 'get',
      path: '/me',
      operationId: 'getMe',
      summary: 'The principal behind the presented API key',
      middleware: requireApiKey(deps.db),
      responses: { 200: jsonResponse(Me, 'The key is valid') },
    },
    (c) => {
      const p = c.get('principal');
      return c.json({ key_id: p.keyId, kind: p.kind, tenant_id: p.tenantId, read_only: p.readOnly } satisfies z.infer<typeof Me>);
    },
  );
  // The document itself is not an operation of the API; it is rendered once, when first asked for.
  let document: ReturnType<typeof openApiDocument> | undefined;
  v1.get('/openapi.json', (c) => c.json((document ??= openApiDocument(app))));
  app.route('/api/v1', v1);
  return app;
}
