import type { BlockList } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { redactTokens } from '../redact.js';
import type { AppEnv } from '../http/app.js';
import { requireApiKey } from '../http/middleware/api-key.js';
import { pageUrl } from '../status/index.js';
import { componentIdsOf, readBody, UUID } from './route-helpers.js';
import type { Subscriptions } from './subscriptions.js';
import type { DeliveryState } from './table.js';
import { refuseTarget } from './targets.js';

const STATES: DeliveryState[] = ['pending', 'sending', 'sent', 'failed', 'dead', 'skipped'];

/** Webhook subscribers (admin key, or the page's tenant key), and the admin's view of deliveries and the local mailbox. */
export function operatorRoutes(deps: { db: Kysely<Database>; subscriptions: Subscriptions; publicUrl: string; allowPrivate: BlockList }): Hono<AppEnv> {
  const { subscriptions } = deps;
  const app = new Hono<AppEnv>();
  const auth = requireApiKey(deps.db);
  const adminOnly = (c: Context<AppEnv>, what: string) => {
    if (c.get('principal').kind !== 'admin') throw new AppError('forbidden', `${what} the admin key`);
  };

  // The signing secret is in this answer only.
  app.post('/api/v1/pages/:page/webhooks', auth, async (c) => {
    const slug = c.req.param('page');
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

  app.get('/api/v1/deliveries', auth, async (c) => {
    adminOnly(c, 'deliveries need');
    const state = c.req.query('state');
    if (state !== undefined && !(STATES as string[]).includes(state)) throw new AppError('bad_request', `state must be one of ${STATES.join(', ')}`);
    return c.json({ data: await subscriptions.deliveries(state as DeliveryState | undefined), next_cursor: null });
  });
  app.post('/api/v1/deliveries/:id/retry', auth, async (c) => {
    adminOnly(c, 'deliveries need');
    const id = c.req.param('id');
    const r = await subscriptions.retry(UUID.test(id) ? id : randomUUID());
    if (!r) throw new AppError('not_found', `no failed, dead or skipped delivery ${id}`);
    return c.json(r);
  });
  // The local mailbox holds other people's mail: a full admin key only, with its link tokens redacted.
  app.get('/api/v1/mailbox', auth, async (c) => {
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
