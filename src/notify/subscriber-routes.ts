import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { escapeHtml } from '../../status-ui/markdown.js';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { requestClientAddress, type TrustProxy } from '../http/client-address.js';
import { databaseRateLimit } from '../http/rate-limit.js';
import { apiRouter, errors, jsonResponse, operation, pathParams, z } from '../http/openapi.js';
import { componentIdsOf, readBody } from './route-helpers.js';
import type { LinkPurpose, Subscriptions } from './subscriptions.js';

const EMAIL = /^[^\s@<>",;()\\[\]]+@[^\s@<>",;()\\[\]]+\.[^\s@<>",;()\\[\]]+$/;
const page = (title: string, body: string) => `<!doctype html><html lang="en"><body><h1>${title}</h1>${body}</body></html>`;

/** Email subscriptions: subscribe (no key), and the signed links of the mails (confirm, manage, unsubscribe). */
export function subscriberRoutes(deps: { db: Kysely<Database>; clock: Clock; subscriptions: Subscriptions; trustProxy: TrustProxy }): OpenAPIHono<AppEnv> {
  const { clock, subscriptions } = deps;
  const app = apiRouter<AppEnv>();
  const Subscribe = z.object({
    email: z.string().openapi({ format: 'email', maxLength: 254 }),
    components: z.unknown().optional().openapi({ type: 'array', items: { type: 'string', format: 'uuid' }, description: 'Only these components (default: all of the page); a form sends one field per id' }),
  });
  // Counted in the database, so the limits hold however many instances serve the page.
  const perAddress = databaseRateLimit(deps.db, 'subscribe-email', 3, 3_600_000);
  const perIp = databaseRateLimit(deps.db, 'subscribe-ip', 20, 3_600_000);

  // The answer is the same whether or not the address exists.
  operation(app, {
    method: 'post',
    path: '/api/v1/pages/{page}/subscribers',
    operationId: 'subscribeByEmail',
    summary: "Subscribe an email address to a page's updates (no key): a confirmation link is mailed",
    description: 'The answer is the same whether or not the address exists. A form (the status page, without JavaScript) gets an HTML page back; JSON gets JSON.',
    security: [],
    request: {
      params: pathParams({ page: 'string' }),
      body: { required: true, content: { 'application/json': { schema: Subscribe }, 'application/x-www-form-urlencoded': { schema: Subscribe } } },
    },
    responses: {
      202: {
        description: 'A confirmation is on its way if the address can receive mail',
        content: { 'application/json': { schema: z.object({ data: z.object({ message: z.string() }) }) }, 'text/html': { schema: z.string() } },
      },
      ...errors({ 404: 'No such page', 429: 'Too many subscription requests from this address or network' }),
    },
  }, async (c) => {
    const slug = c.req.param('page')!;
    const target = await subscriptions.page(slug);
    if (!target) throw new AppError('not_found', `no page ${slug}`);
    const b = await readBody(c);
    const email = typeof b.email === 'string' ? b.email.trim() : '';
    if (!EMAIL.test(email) || email.length > 254) throw new AppError('validation_failed', 'email must be an email address');
    const components = await subscriptions.checkComponents(target, componentIdsOf(b.components));
    const now = clock.now();
    // The client address under TRUST_PROXY; in-process requests have none.
    const ip = requestClientAddress(c, deps.trustProxy) ?? 'in-process';
    if (!(await perIp.allow(ip, now)) || !(await perAddress.allow(email, now))) {
      throw new AppError('rate_limited', 'too many subscription requests; try again later');
    }
    await subscriptions.subscribeEmail(target, email, components);
    const message = 'If the address can receive mail, a message is on its way.';
    // The page's form (no JavaScript) gets a page back; API clients get JSON.
    if (!(c.req.header('content-type') ?? '').includes('application/json')) {
      return c.html(page('Check your inbox', `<p>${message}</p><p><a href="${target.slug === 'default' ? '/' : `/s/${target.slug}`}">Back to the status page</a></p>`), 202);
    }
    return c.json({ data: { message } }, 202);
  });

  const linked = async (c: Context, purpose: LinkPurpose): Promise<string> => {
    const id = await subscriptions.verifyLink(c.req.query('token') ?? '', purpose);
    if (!id) throw new AppError('not_found', 'this link is invalid or has expired');
    return id;
  };

  app.get('/subscriptions/confirm', async (c) => {
    await subscriptions.confirm(await linked(c, 'confirm'));
    return c.html(page('Subscription confirmed', '<p>You will get status updates by email.</p>'));
  });
  // GET (a link scanner may prefetch it) only asks; the button, or the mail client's one-click POST (RFC 8058), unsubscribes.
  app.get('/subscriptions/unsubscribe', async (c) => {
    await linked(c, 'unsubscribe');
    const token = escapeHtml(c.req.query('token') ?? '');
    return c.html(page('Unsubscribe?', `<form method="post" action="/subscriptions/unsubscribe?token=${token}"><button type="submit">Unsubscribe from status updates</button></form>`));
  });
  app.post('/subscriptions/unsubscribe', async (c) => {
    await subscriptions.unsubscribe(await linked(c, 'unsubscribe'));
    return c.html(page('Unsubscribed', '<p>You will get no more status updates.</p>'));
  });
  const subscriberOf = async (c: Context) => {
    const s = await subscriptions.subscriber(await linked(c, 'manage'));
    if (!s) throw new AppError('not_found', 'this subscription no longer exists');
    return s;
  };
  app.get('/subscriptions/manage', async (c) => {
    const s = await subscriberOf(c);
    return c.json({ email: s.email, components: s.component_ids, confirmed: s.confirmed_at !== null, unsubscribed: s.unsubscribed_at !== null });
  });
  app.post('/subscriptions/manage', async (c) => {
    const s = await subscriberOf(c);
    const components = await subscriptions.checkComponents(await subscriptions.pageOf(s), componentIdsOf((await readBody(c)).components));
    await subscriptions.setComponents(s.id, components);
    return c.json({ email: s.email, components });
  });
  return app;
}
