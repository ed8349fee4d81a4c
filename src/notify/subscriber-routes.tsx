import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ManagePage, MessagePage, UnsubscribePage } from '../../status-ui/subscriber-pages.js';
import { SubscribeAgainPage } from '../../status-ui/subscribe-form.js';
import type { Brand } from '../../status-ui/view.js';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { requestClientAddress, type TrustProxy } from '../http/client-address.js';
import { databaseRateLimit } from '../http/rate-limit.js';
import { apiRouter, errors, jsonResponse, operation, pathParams, z } from '../http/openapi.js';
import { brandOf } from '../status/index.js';
import type { PageRow } from '../incidents/index.js';
import { componentIdsOf, readBody } from './route-helpers.js';
import { choicesOf, formSelection, sendPage } from './subscriber-pages.js';
import type { SubscriberRow } from './store.js';
import type { LinkPurpose, Subscriptions } from './subscriptions.js';

const EMAIL = /^[^\s@<>",;()\\[\]]+@[^\s@<>",;()\\[\]]+\.[^\s@<>",;()\\[\]]+$/;
/** A JSON client asked for JSON (the manage link answers a browser with its form). */
const wantsJson = (c: Context) => /\bapplication\/json\b/.test(c.req.header('accept') ?? '');
const isForm = (c: Context) => !(c.req.header('content-type') ?? '').includes('application/json');
/** An API message as a sentence for a person ("this link is invalid" → "This link is invalid."). */
const sentence = (m: string) => `${m.charAt(0).toUpperCase()}${m.slice(1)}${/[.!?]$/.test(m) ? '' : '.'}`;
/** A page for a failure with no status page of its own to brand it (a broken link, an unknown page). */
const PLAIN: Brand = { name: 'Status', basePath: '', logoUrl: null, accent: null };

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
    description: 'The answer is the same whether or not the address exists. A form (the status page, without JavaScript) gets an HTML page back, refusals included (the form again, saying what was wrong); JSON gets JSON.',
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
    // The page's form (no JavaScript) gets a page back, refusals included; API clients get JSON, refusals through the API's errors.
    const form = isForm(c);
    if (!target) {
      if (form) return sendPage(c, MessagePage({ brand: PLAIN, title: 'No such status page', children: <p>There is no status page {slug} to subscribe to.</p> }), 404);
      throw new AppError('not_found', `no page ${slug}`);
    }
    let email = '';
    const refuse = (err: AppError, words = sentence(err.message)) => {
      if (!form) throw err;
      return sendPage(c, SubscribeAgainPage({ brand: brandOf(target), action: c.req.path, email: email.slice(0, 254), error: words }), err.status as ContentfulStatusCode);
    };
    try {
      const b = await readBody(c);
      email = typeof b.email === 'string' ? b.email.trim() : '';
      if (!EMAIL.test(email) || email.length > 254) return refuse(new AppError('validation_failed', 'email must be an email address'), 'That is not an email address. Check it (it looks like name@example.com) and try again.');
      const components = await subscriptions.checkComponents(target, componentIdsOf(b.components));
      const now = clock.now();
      // The client address under TRUST_PROXY; in-process requests have none.
      const ip = requestClientAddress(c, deps.trustProxy) ?? 'in-process';
      if (!(await perIp.allow(ip, now)) || !(await perAddress.allow(email, now))) {
        return refuse(new AppError('rate_limited', 'too many subscription requests; try again later'), 'Too many subscription requests came from here or for this address. Try again in an hour.');
      }
      await subscriptions.subscribeEmail(target, email, components);
    } catch (err) {
      if (err instanceof AppError) return refuse(err);
      throw err;
    }
    const message = 'If the address can receive mail, a message is on its way.';
    if (form) return sendPage(c, MessagePage({ brand: brandOf(target), title: 'Check your inbox', children: <p>{message}</p> }), 202);
    return c.json({ data: { message } }, 202);
  });

  /**
   * Runs a mail link's handler; for a browser (`asPage`), a link that does
   * not work (expired, tampered, its subscription gone) is a page saying so
   * rather than the API's JSON error, which JSON clients keep.
   */
  const orLinkPage = async (c: Context, asPage: boolean, run: () => Promise<Response>): Promise<Response> => {
    try {
      return await run();
    } catch (err) {
      if (!asPage || !(err instanceof AppError) || err.code !== 'not_found') throw err;
      // Fixed words: whatever the handler's error said stays with the API's JSON clients.
      const children = <p>This link is invalid or has expired. Use the link in the newest mail about your subscription, or subscribe again on the status page.</p>;
      return sendPage(c, MessagePage({ brand: PLAIN, title: 'This link does not work', children }), 404);
    }
  };

  const linked = async (c: Context, purpose: LinkPurpose): Promise<string> => {
    const id = await subscriptions.verifyLink(c.req.query('token') ?? '', purpose);
    if (!id) throw new AppError('not_found', 'this link is invalid or has expired');
    return id;
  };

  const subscriberOf = async (c: Context, purpose: LinkPurpose): Promise<{ s: SubscriberRow; page: PageRow }> => {
    const s = await subscriptions.subscriber(await linked(c, purpose));
    if (!s) throw new AppError('not_found', 'this subscription no longer exists');
    return { s, page: await subscriptions.pageOf(s) };
  };
  // The link's own URL, for forms that post back to it (the token is the subscriber's capability).
  const selfAction = (c: Context, path: string) => `${path}?token=${encodeURIComponent(c.req.query('token') ?? '')}`;

  // These answer pages, so a broken link is a page too, unless the client asked for JSON.
  app.get('/subscriptions/confirm', (c) =>
    orLinkPage(c, !wantsJson(c), async () => {
      const { s, page } = await subscriberOf(c, 'confirm');
      await subscriptions.confirm(s.id);
      return sendPage(c, MessagePage({ brand: brandOf(page), title: 'Subscription confirmed', children: <p>You will get {page.name} status updates by email.</p> }));
    }),
  );
  // GET (a link scanner may prefetch it) only asks; the button, or the mail client's one-click POST (RFC 8058), unsubscribes.
  app.get('/subscriptions/unsubscribe', (c) =>
    orLinkPage(c, !wantsJson(c), async () => {
      const { page } = await subscriberOf(c, 'unsubscribe');
      return sendPage(c, UnsubscribePage({ brand: brandOf(page), action: selfAction(c, '/subscriptions/unsubscribe') }));
    }),
  );
  app.post('/subscriptions/unsubscribe', (c) =>
    orLinkPage(c, !wantsJson(c), async () => {
      const { s, page } = await subscriberOf(c, 'unsubscribe');
      await subscriptions.unsubscribe(s.id);
      return sendPage(c, MessagePage({ brand: brandOf(page), title: 'Unsubscribed', children: <p>You will get no more {page.name} status updates.</p> }));
    }),
  );

  const managePage = async (c: Context, s: SubscriberRow, page: PageRow, notice: string | null, status: 200 | 400 = 200) =>
    sendPage(
      c,
      ManagePage({
        view: {
          brand: brandOf(page),
          email: s.email ?? '',
          action: selfAction(c, '/subscriptions/manage'),
          confirmed: s.confirmed_at !== null,
          unsubscribed: s.unsubscribed_at !== null,
          all: s.component_ids.length === 0,
          choices: choicesOf(await subscriptions.components(page), s.component_ids),
          notice,
        },
      }),
      status,
    );
  // A browser gets the manage form; a client that asks for JSON gets the subscription as JSON.
  app.get('/subscriptions/manage', (c) =>
    orLinkPage(c, !wantsJson(c), async () => {
      const { s, page } = await subscriberOf(c, 'manage');
      if (wantsJson(c)) return c.json({ email: s.email, components: s.component_ids, confirmed: s.confirmed_at !== null, unsubscribed: s.unsubscribed_at !== null });
      return managePage(c, s, page, null);
    }),
  );
  app.post('/subscriptions/manage', (c) =>
    orLinkPage(c, isForm(c), async () => {
      const { s, page } = await subscriberOf(c, 'manage');
      if (!isForm(c)) {
        const b = await readBody(c);
        const components = await subscriptions.checkComponents(page, componentIdsOf(b.components));
        await subscriptions.setComponents(s.id, components);
        return c.json({ email: s.email, components });
      }
      // The form: unsubscribe, or save the choice ("everything", or the ticked components).
      // A refused choice (ids that are not this page's components, a mangled body) is the form again, saying why.
      const refused = (err: unknown) => {
        if (err instanceof AppError && err.code === 'validation_failed') return managePage(c, s, page, `Nothing was changed: ${err.message}.`, 400);
        throw err;
      };
      const b = await readBody(c).catch(refused);
      if (b instanceof Response) return b;
      if (b.unsubscribe === '1') {
        await subscriptions.unsubscribe(s.id);
        return sendPage(c, MessagePage({ brand: brandOf(page), title: 'Unsubscribed', children: <p>You will get no more {page.name} status updates.</p> }));
      }
      if (s.unsubscribed_at) return managePage(c, s, page, null);
      let chosen: string[] | undefined;
      try {
        chosen = formSelection(b.scope, componentIdsOf(b.components));
        if (chosen) chosen = await subscriptions.checkComponents(page, chosen);
      } catch (err) {
        return refused(err);
      }
      if (!chosen) return managePage(c, s, page, 'Nothing was changed: tick at least one component, or choose everything on this page.', 400);
      await subscriptions.setComponents(s.id, chosen);
      const saved = (await subscriptions.subscriber(s.id))!;
      return managePage(c, saved, page, chosen.length ? `Saved: you will hear about ${chosen.length === 1 ? 'one component' : `${chosen.length} components`}.` : 'Saved: you will hear about everything on this page.');
    }),
  );
  return app;
}
