import { OpenAPIHono, z, type RouteConfig } from '@hono/zod-openapi';
import type { Context, Env, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { assertCleanJson, readJsonObject } from './json-body.js';
import { jsonError } from './errors.js';

/**
 * The OpenAPI document of /api/v1 is generated from the routes themselves:
 * every /api/v1 route is declared with `operation(app, route, handler)` on
 * an `apiRouter()`, which registers its path, parameters, body, responses and
 * security in the router's registry (`@hono/zod-openapi`, on
 * `@asteasolutions/zod-to-openapi`) and validates the query and JSON body
 * against the same zod schemas before the handler runs. Routers mounted with
 * `app.route()` hand their registry up; `openApiDocument(app)` renders the
 * /api/v1 part of it. So a route cannot be served without being described.
 *
 * Why not the library's own `app.openapi()`: it answers 415 to a body sent
 * without `Content-Type: application/json` (curl -d, the status page's form),
 * which the API has always read as JSON. `operation()` keeps the API's own
 * body reading (`readJsonObject`: one JSON object, no control characters) and
 * its error shape: a failed check is `{"error":{"code","message"}}`, 400
 * `validation_failed` for a body, `bad_request` for a query, the message
 * naming the field (`name must be at most 200 characters`).
 */

export { z };

/** A router whose routes carry their OpenAPI description. */
export function apiRouter<E extends Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>();
}

/** The error body every 4xx and 5xx of /api/v1 has. */
export const ErrorSchema = z
  .object({ error: z.object({ code: z.string().openapi({ example: 'validation_failed' }), message: z.string() }) })
  .openapi('Error');

/** Both ways to present a key; `[]` for a route that needs none. */
export const API_KEY_SECURITY: Record<string, string[]>[] = [{ bearer: [] }, { apiKey: [] }];

const ERROR_TEXT: Record<number, string> = {
  400: 'A bad field, filter or cursor',
  401: 'No API key, or not a valid one',
  402: 'Payment declined',
  403: 'The key may not do this',
  404: 'Not found (or not visible to this key)',
  409: 'Conflicts with the current state',
  413: 'The body is too large',
  422: 'An Idempotency-Key reused with another request',
  429: 'Too many requests',
};

/** Error responses: `{ 404: 'No such job' }` or `[404, 409]` for the usual wording. */
export function errors(spec: Record<number, string> | number[]) {
  const entries = Array.isArray(spec) ? spec.map((s) => [s, ERROR_TEXT[s] ?? 'Error'] as const) : Object.entries(spec);
  return Object.fromEntries(entries.map(([status, description]) => [String(status), { description, content: { 'application/json': { schema: ErrorSchema } } }]));
}

/** A JSON response. */
export const jsonResponse = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });

/** A JSON request body (optional unless `required`). */
export const requestJson = (schema: z.ZodType, required = true) => ({ required, content: { 'application/json': { schema } } });

/** `{"data":[…],"next_cursor":…}`, the shape of every list. */
export const listOf = (item: z.ZodType) => z.object({ data: z.array(item), next_cursor: z.string().nullable() });

/** A path parameter: described, not checked here (a malformed id is simply not found, by the handler). */
export const pathParams = <K extends string>(names: Record<K, 'uuid' | 'string'>) =>
  z.object(Object.fromEntries(Object.entries(names).map(([k, f]) => [k, f === 'uuid' ? z.string().openapi({ format: 'uuid' }) : z.string()])) as Record<K, z.ZodString>);

/** An integer query parameter, described as one; the handler reads and checks it (some clamp rather than refuse). */
export const queryInt = (opts: { minimum?: number; maximum?: number; default?: number; description?: string }) => z.string().optional().openapi({ type: 'integer', ...opts });

/** `limit` and `cursor` of a list. */
export const pageQuery = (maximum: number) => ({
  limit: queryInt({ minimum: 1, maximum, default: 50 }),
  cursor: z.string().optional().openapi({ description: 'next_cursor of the previous page' }),
});

/** `Idempotency-Key` on a POST. */
export const IdempotencyHeader = z.object({
  'Idempotency-Key': z.string().max(255).optional().openapi({ description: 'The same key with the same request replays the first answer (24 h)' }),
});

/** An ISO 8601 instant with an offset. */
export const instant = () => z.string().openapi({ format: 'date-time' });

type Operation = RouteConfig & { operationId: string; summary: string };

/**
 * Declares one operation: registers its description and serves it with the
 * route's middleware (key check, idempotency), then the query and body
 * checks, then the handler. Routes that need a key (the default) get the
 * security requirement and their 401 (and 403 for read-only keys on writes).
 */
export function operation<E extends Env>(app: OpenAPIHono<E>, route: Operation, handler: (c: Context<E>) => Response | Promise<Response>): void {
  const open = route.security !== undefined && route.security.length === 0;
  const described: RouteConfig = {
    ...route,
    ...(!open && { security: route.security ?? API_KEY_SECURITY }),
    responses: {
      ...(!open && errors(route.method === 'get' ? [401] : [401, 403])),
      ...((route.request?.query || route.request?.body) && errors([400])),
      ...route.responses,
    },
  };
  delete described.middleware;
  app.openAPIRegistry.registerPath(described);

  const checks: MiddlewareHandler[] = [];
  const query = route.request?.query;
  if (query) checks.push(checkQuery(query));
  const body = route.request?.body;
  const media = body?.content['application/json'];
  const schema = media && 'schema' in media ? media.schema : undefined;
  if (schema instanceof z.ZodType) checks.push(checkJsonBody(schema, body?.required === true, 'application/x-www-form-urlencoded' in (body?.content ?? {})));
  const middleware = route.middleware === undefined ? [] : Array.isArray(route.middleware) ? route.middleware : [route.middleware];
  app.on([route.method.toUpperCase()], [route.path.replaceAll(/\{([^}]+)\}/g, ':$1')], ...(middleware as MiddlewareHandler[]), ...checks, handler as never);
}

function checkQuery(schema: z.ZodType): MiddlewareHandler {
  return async (c, next) => {
    const result = schema.safeParse(c.req.query(), { reportInput: true });
    if (!result.success) return invalid(c, 'bad_request', result.error);
    await next();
  };
}

/**
 * Reads the body as the API always has (JSON whatever the Content-Type; a form
 * where the route takes one), then checks it. An optional body may be empty.
 * The handler reads the same body again (hono caches it).
 */
function checkJsonBody(schema: z.ZodType, required: boolean, acceptsForm: boolean): MiddlewareHandler {
  return async (c, next) => {
    let value: Record<string, unknown>;
    const type = c.req.header('content-type') ?? '';
    if (acceptsForm && !type.includes('application/json')) {
      try {
        value = (await c.req.parseBody()) as Record<string, unknown>;
      } catch {
        return next(); // the handler refuses it in its own words
      }
      assertCleanJson(value);
    } else {
      if (!required && (await c.req.text()).trim() === '') return next();
      value = await readJsonObject(c);
    }
    const result = schema.safeParse(value, { reportInput: true });
    if (!result.success) return invalid(c, 'validation_failed', result.error);
    await next();
  };
}

function invalid(c: Context, code: 'bad_request' | 'validation_failed', error: z.ZodError) {
  return jsonError(c, 400 as ContentfulStatusCode, code, issueMessage(error.issues[0]!));
}

/** One issue in the API's words: the field first, then what it must be. */
export function issueMessage(issue: z.core.$ZodIssue): string {
  const field = issue.path.length === 0 ? 'body' : issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
  const unit = (origin: string | undefined) => (origin === 'string' ? ' characters' : origin === 'array' || origin === 'set' ? ' items' : '');
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return `${field} is required`;
      const expected = ({ int: 'a whole number', number: 'a number', string: 'a string', boolean: 'true or false', object: 'an object', array: 'a list' } as Record<string, string>)[issue.expected] ?? issue.expected;
      return `${field} must be ${expected}`;
    }
    case 'too_small':
      return `${field} must be at least ${String(issue.minimum)}${unit(issue.origin)}`;
    case 'too_big':
      return `${field} must be at most ${String(issue.maximum)}${unit(issue.origin)}`;
    case 'invalid_value':
      return `${field} must be one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'regex' ? `${field} must match ${(issue as { pattern?: string }).pattern ?? 'its pattern'}` : `${field} must be ${issue.format === 'uuid' ? 'an id' : issue.format === 'datetime' ? 'an ISO 8601 instant with offset' : `a valid ${issue.format}`}`;
    case 'unrecognized_keys':
      return `unknown fields: ${issue.keys.slice(0, 5).join(', ')}`;
    case 'invalid_union':
      return `${field} has none of its allowed forms`;
    default:
      return `${field} ${issue.message}`;
  }
}

/**
 * The OpenAPI 3.1 document of /api/v1, rendered from the routes an app
 * registered (paths relative to the server URL /api/v1). Compatibility
 * surfaces (/ping, /api/v3, the Statuspage JSON) are not declared with
 * `operation()` and stay out of it.
 */
export function openApiDocument(app: OpenAPIHono<any>) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', { type: 'apiKey', in: 'header', name: 'X-Api-Key' });
  const generated = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Overdue API',
      version: '1',
      description: 'Heartbeats, billing, expectations, incidents and alerting of Overdue. Errors are {"error":{"code","message"}}.',
    },
    servers: [{ url: '/api/v1' }],
    security: API_KEY_SECURITY,
  });
  const paths = Object.fromEntries(
    Object.entries(generated.paths ?? {})
      .filter(([path]) => path.startsWith('/api/v1/'))
      .map(([path, item]) => [path.slice('/api/v1'.length), item]),
  );
  return { ...generated, paths };
}
