import type { BlockList } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { redactTokens } from '../redact.js';
import type { AppEnv } from '../http/app.js';
import { requireApiKey } from '../http/middleware/api-key.js';
import { apiRouter, errors, instant, jsonResponse, listOf, operation, pathParams, requestJson, z } from '../http/openapi.js';
import { pageUrl } from '../status/index.js';
import { componentIdsOf, readBody, UUID } from './route-helpers.js';
import type { Subscriptions } from './subscriptions.js';
import type { DeliveryState } from './table.js';
import { refuseTarget } from './targets.js';

const STATES: DeliveryState[] = ['pending', 'sending', 'sent', 'failed', 'dead', 'skipped'];

const Delivery = z
  .object({
    id: z.string().openapi({ format: 'uuid' }),
    event_key: z.string(),
    recipient: z.string(),
    channel: z.string(),
    subscriber_id: z.string().nullable(),
    channel_id: z.string().nullable(),
    state: z.enum(STATES as [DeliveryState, ...DeliveryState[]]),
    attempts: z.number().int(),
    next_attempt_at: instant().nullable(),
    last_error: z.string().nullable(),
    sent_at: instant().nullable(),
    created_at: instant(),
  })
  .openapi('Delivery');
const Mail = z
  .object({ id: z.string(), delivery_id: z.string().nullable(), to: z.string(), subject: z.string(), text: z.string(), html: z.string(), headers: z.record(z.string(), z.string()), created_at: instant() })
  .openapi('Mail', { description: 'A mail of the local mailbox (no SMTP_URL), link tokens redacted' });
const WebhookSubscriber = z.object({
  id: z.string().openapi({ format: 'uuid' }),
  url: z.string(),
  components: z.array(z.string()),
  secret: z.string().openapi({ description: 'The whsec_ signing secret (Standard Webhooks), shown this once' }),
  page: z.string().openapi({ description: 'The public page URL' }),
});
const adminOnly = errors({ 403: 'Not the admin key' });

/** Webhook subscribers (admin key, or the page's tenant key), and the admin's view of deliveries and the local mailbox. */
export function operatorRoutes(deps: { db: Kysely<Database>; subscriptions: Subscriptions; publicUrl: string; allowPrivate: BlockList }): OpenAPIHono<AppEnv> {
  const { subscriptions } = deps;
  const app = apiRouter<AppEnv>();
  const auth = requireApiKey(deps.db);
  const adminOnly = (c: Context<AppEnv>, what: string) => {
    if (c.get('principal').kind !== 'admin') throw new AppError('forbidden', `${what} the admin key`);
  };

  // The signing secret is in this answer only.
  operation(app, {
    method: 'post',
    path: '/api/v1/pages/{page}/webhooks',
    operationId: 'addWebhookSubscriber',
    summary: "Subscribe a webhook receiver to a page's updates (admin key, or the page's tenant key)",
    middleware: auth,
    request: {
      params: pathParams({ page: 'string' }),
      body: requestJson(z.object({ url: z.string().openapi({ description: 'The http(s) URL of your receiver (a public address)' }), components: z.unknown().optional().openapi({ type: 'array', items: { type: 'string', format: 'uuid' }, description: 'Only these components (default: all of the page)' }) })),
    },
    responses: { 201: jsonResponse(WebhookSubscriber, 'The subscription, with its signing secret'), ...errors({ 400: 'Bad URL (or not public) or components', 404: 'No such page for this key' }) },
  }, async (c) => {
    const slug = c.req.param('page')!;
    const page = await subscriptions.page(slug);
    if (!page) throw new AppError('not_found', `no page ${slug}`);
    const p = c.get('principal');
    if (p.kind !== 'admin' && page.tenant_id !== p.tenantId) throw new AppError('not_found', `no page ${page.slug}`);
    const b = await readBody(c);
    if (typeof b.url !== 'string') throw new AppError('validation_failed', 'url must be the http(s) URL of your receiver');
    const refused = await refuseTarget(b.url, deps.allowPrivate);
    if (refused) throw new AppError('validation_failed', refused);
    const components = await subscriptions.checkComponents(page, componentIdsOf(b.components));
    const { id, secret } = await subscriptions.addWebhook(page, b.url, components);
    return c.json({ id, url: b.url, components, secret, page: pageUrl(deps.publicUrl, page.slug) }, 201);
  });

  operation(app, {
    method: 'get',
    path: '/api/v1/deliveries',
    operationId: 'listDeliveries',
    summary: 'Notification deliveries, newest first, the last 200 (admin key)',
    middleware: auth,
    request: { query: z.object({ state: z.enum(STATES as [DeliveryState, ...DeliveryState[]]).optional() }) },
    responses: { 200: jsonResponse(listOf(Delivery), 'The deliveries'), ...adminOnly },
  }, async (c) => {
    adminOnly(c, 'deliveries need');
    const state = c.req.query('state');
    if (state !== undefined && !(STATES as string[]).includes(state)) throw new AppError('bad_request', `state must be one of ${STATES.join(', ')}`);
    return c.json({ data: await subscriptions.deliveries(state as DeliveryState | undefined), next_cursor: null });
  });
  operation(app, {
    method: 'post',
    path: '/api/v1/deliveries/{id}/retry',
    operationId: 'retryDelivery',
    summary: 'Queue a failed, dead or skipped delivery again, due now (admin key)',
    middleware: auth,
    request: { params: pathParams({ id: 'uuid' }) },
    responses: { 200: jsonResponse(z.object({ id: z.string(), state: z.string() }), 'The delivery, pending'), ...adminOnly, ...errors({ 404: 'No failed, dead or skipped delivery with this id' }) },
  }, async (c) => {
    adminOnly(c, 'deliveries need');
    const id = c.req.param('id')!;
    const r = await subscriptions.retry(UUID.test(id) ? id : randomUUID());
    if (!r) throw new AppError('not_found', `no failed, dead or skipped delivery ${id}`);
    return c.json(r);
  });
  // The local mailbox holds other people's mail: a full admin key only, with its link tokens redacted.
  operation(app, {
    method: 'get',
    path: '/api/v1/mailbox',
    operationId: 'listMailbox',
    summary: 'The local mailbox: mail sent without SMTP_URL (a full admin key)',
    middleware: auth,
    responses: { 200: jsonResponse(listOf(Mail), 'The newest mails'), ...errors({ 403: 'Not a full (not read-only) admin key' }) },
  }, async (c) => {
    adminOnly(c, 'the mailbox needs');
    if (c.get('principal').readOnly) throw new AppError('forbidden', 'the mailbox needs a full (not read-only) admin key');
    const rows = await subscriptions.mailbox();
    return c.json({
      data: rows.map((m) => ({
        ...m,
        id: m.id.toString(),
        text: redactTokens(m.text),
        html: redactTokens(m.html),
        headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, redactTokens(String(v))])),
      })),
      next_cursor: null,
    });
  });
  return app;
}
