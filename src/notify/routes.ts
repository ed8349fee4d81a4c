import { randomUUID } from 'node:crypto';
import type { BlockList } from 'node:net';
import { Hono, type Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { requireApiKey } from '../http/middleware/api-key.js';
import { pageUrl } from '../incidents/statuspage-json.js';
import { findPageBySlug, type PageRow } from '../incidents/store.js';
import type { Logger } from '../logger.js';
import { insertDelivery } from './fanout.js';
import { generateWebhookSecret, signToken, verifyToken } from './signing.js';
import { refuseTarget } from './targets.js';
import { confirmEmail } from './templates.js';
import { escapeHtml } from '../../status-ui/markdown.js';
import { requestClientAddress } from '../http/client-address.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const EMAIL = /^[^\s@<>",;()\\[\]]+@[^\s@<>",;()\\[\]]+\.[^\s@<>",;()\\[\]]+$/;
const CONFIRM_TTL_MS = 48 * 3_600_000;
const LINK_TTL_MS = 365 * 86_400_000;

/** A small per-key limiter (per instance): at most `max` hits per window. */
class RateLimit {
  readonly #hits = new Map<string, number[]>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}
  allow(key: string, now: number): boolean {
    const recent = (this.#hits.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.max) return false;
    recent.push(now);
    this.#hits.set(key, recent);
    if (this.#hits.size > 10_000) this.#hits.clear();
    return true;
  }
}

async function readBody(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  try {
    if (type.includes('application/json')) {
      const b = await c.req.json();
      if (typeof b === 'object' && b !== null && !Array.isArray(b)) return b as Record<string, unknown>;
    } else {
      return (await c.req.parseBody()) as Record<string, unknown>;
    }
  } catch {
    // fall through
  }
  throw new AppError('validation_failed', 'body must be a JSON object or a form');
}

/** Status page subscribers, their links, webhook subscriptions, and the operator's view of deliveries. */
export function notifyRoutes(deps: {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  publicUrl: string;
  tokenSecret: () => Promise<Buffer>;
  allowPrivate: BlockList;
  trustProxy: boolean;
}): Hono<AppEnv> {
  const { db, clock, publicUrl } = deps;
  const app = new Hono<AppEnv>();
  const auth = requireApiKey(db);
  const perAddress = new RateLimit(3, 3_600_000);
  const perIp = new RateLimit(20, 3_600_000);

  const pageOf = async (slug: string): Promise<PageRow> => {
    const page = await findPageBySlug(db, slug);
    if (!page) throw new AppError('not_found', `no page ${slug}`);
    return page;
  };
  const componentsOf = async (page: PageRow, v: unknown): Promise<string[]> => {
    if (v === undefined || v === null || v === '') return [];
    const ids = Array.isArray(v) ? v : [v];
    if (!ids.every((x) => typeof x === 'string' && UUID.test(x))) throw new AppError('validation_failed', 'components must be a list of component ids');
    const found = await db.selectFrom('components').select('id').where('page_id', '=', page.id).where('id', 'in', ids as string[]).execute();
    if (found.length !== new Set(ids).size) throw new AppError('validation_failed', 'components has ids that are not components of this page');
    return [...new Set(ids as string[])];
  };

  // Subscribe by email: no key. The answer is the same whether or not the address exists.
  app.post('/api/v1/pages/:page/subscribers', async (c) => {
    const page = await pageOf(c.req.param('page'));
    const b = await readBody(c);
    const email = typeof b.email === 'string' ? b.email.trim() : '';
    if (!EMAIL.test(email) || email.length > 254) throw new AppError('validation_failed', 'email must be an email address');
    const components = await componentsOf(page, b.components);
    const now = clock.now();
    // The peer address (X-Forwarded-For only behind a trusted proxy); in-process requests have none.
    const ip = requestClientAddress(c, deps.trustProxy) ?? 'in-process';
    const accepted = { data: { message: 'If the address can receive mail, a message is on its way.' } };
    if (!perIp.allow(String(ip), now.getTime()) || !perAddress.allow(email.toLowerCase(), now.getTime())) {
      throw new AppError('rate_limited', 'too many subscription requests; try again later');
    }
    const secret = await deps.tokenSecret();
    await db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('subscribers').selectAll().where('page_id', '=', page.id).where('channel', '=', 'email').where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase())).forUpdate().executeTakeFirst();
      let id = existing?.id;
      if (!existing) {
        id = randomUUID();
        await trx.insertInto('subscribers').values({ id, page_id: page.id, channel: 'email', email, url: null, secret: null, component_ids: components, confirmed_at: null, unsubscribed_at: null, quarantined_at: null, failing_since: null, created_at: now, updated_at: now }).execute();
      } else if (!existing.confirmed_at || existing.unsubscribed_at) {
        await trx.updateTable('subscribers').set({ component_ids: components, unsubscribed_at: null, confirmed_at: null, updated_at: now }).where('id', '=', existing.id).execute();
      }
      const active = existing?.confirmed_at && !existing.unsubscribed_at;
      const payload = confirmEmail({
        to: email,
        pageName: page.name,
        confirmUrl: `${publicUrl}/subscriptions/confirm?token=${signToken(secret, 'confirm', id!, new Date(now.getTime() + CONFIRM_TTL_MS))}`,
        manageUrl: active ? `${publicUrl}/subscriptions/manage?token=${signToken(secret, 'manage', id!, new Date(now.getTime() + LINK_TTL_MS))}` : null,
      });
      await insertDelivery(trx, { eventKey: `subscribe:${id}:${randomUUID()}`, recipient: `email:${email.toLowerCase()}`, channel: 'email', subscriberId: null, payload }, now);
    });
    // The page's form (no JavaScript) gets a page back; API clients get JSON.
    if (!(c.req.header('content-type') ?? '').includes('application/json')) {
      return c.html(`<!doctype html><html lang="en"><body><h1>Check your inbox</h1><p>${accepted.data.message}</p><p><a href="${page.slug === 'default' ? '/' : `/s/${page.slug}`}">Back to the status page</a></p></body></html>`, 202);
    }
    return c.json(accepted, 202);
  });

  const tokenOf = async (c: Context, purpose: string): Promise<string> => {
    const token = c.req.query('token') ?? '';
    const id = verifyToken(await deps.tokenSecret(), token, purpose, clock.now());
    if (!id) throw new AppError('not_found', 'this link is invalid or has expired');
    return id;
  };

  app.get('/subscriptions/confirm', async (c) => {
    const id = await tokenOf(c, 'confirm');
    await db.updateTable('subscribers').set({ confirmed_at: clock.now(), updated_at: clock.now() }).where('id', '=', id).where('confirmed_at', 'is', null).execute();
    return c.html('<!doctype html><html lang="en"><body><h1>Subscription confirmed</h1><p>You will get status updates by email.</p></body></html>');
  });
  // One-click unsubscribe (RFC 8058): POST from the mail client, GET from the link.
  const unsubscribe = async (c: Context) => {
    const id = await tokenOf(c, 'unsubscribe');
    await db.updateTable('subscribers').set({ unsubscribed_at: clock.now(), updated_at: clock.now() }).where('id', '=', id).where('unsubscribed_at', 'is', null).execute();
    return c.html('<!doctype html><html lang="en"><body><h1>Unsubscribed</h1><p>You will get no more status updates.</p></body></html>');
  };
  // GET (a link scanner may prefetch it) only asks; the button, or the mail client's one-click POST, unsubscribes.
  app.get('/subscriptions/unsubscribe', async (c) => {
    await tokenOf(c, 'unsubscribe');
    const token = escapeHtml(c.req.query('token') ?? '');
    return c.html(`<!doctype html><html lang="en"><body><h1>Unsubscribe?</h1><form method="post" action="/subscriptions/unsubscribe?token=${token}"><button type="submit">Unsubscribe from status updates</button></form></body></html>`);
  });
  app.post('/subscriptions/unsubscribe', unsubscribe);
  app.get('/subscriptions/manage', async (c) => {
    const id = await tokenOf(c, 'manage');
    const s = await db.selectFrom('subscribers').selectAll().where('id', '=', id).executeTakeFirst();
    if (!s) throw new AppError('not_found', 'this subscription no longer exists');
    return c.json({ email: s.email, components: s.component_ids, confirmed: s.confirmed_at !== null, unsubscribed: s.unsubscribed_at !== null });
  });
  app.post('/subscriptions/manage', async (c) => {
    const id = await tokenOf(c, 'manage');
    const s = await db.selectFrom('subscribers').selectAll().where('id', '=', id).executeTakeFirst();
    if (!s) throw new AppError('not_found', 'this subscription no longer exists');
    const page = (await db.selectFrom('pages').selectAll().where('id', '=', s.page_id).executeTakeFirst())!;
    const components = await componentsOf(page, (await readBody(c)).components);
    await db.updateTable('subscribers').set({ component_ids: components, updated_at: clock.now() }).where('id', '=', id).execute();
    return c.json({ email: s.email, components });
  });

  // Webhook subscribers: admin key, or the tenant key of the page's tenant. The secret is shown once.
  app.post('/api/v1/pages/:page/webhooks', auth, async (c) => {
    const page = await pageOf(c.req.param('page'));
    const p = c.get('principal');
    if (p.kind !== 'admin' && page.tenant_id !== p.tenantId) throw new AppError('not_found', `no page ${page.slug}`);
    const b = await readBody(c);
    if (typeof b.url !== 'string') throw new AppError('validation_failed', 'url must be the http(s) URL of your receiver');
    const refused = await refuseTarget(b.url, deps.allowPrivate);
    if (refused) throw new AppError('validation_failed', refused);
    const components = await componentsOf(page, b.components);
    const now = clock.now();
    const secret = generateWebhookSecret();
    const id = randomUUID();
    await db.insertInto('subscribers').values({ id, page_id: page.id, channel: 'webhook', email: null, url: b.url, secret, component_ids: components, confirmed_at: now, unsubscribed_at: null, quarantined_at: null, failing_since: null, created_at: now, updated_at: now }).execute();
    return c.json({ id, url: b.url, components, secret, page: pageUrl(publicUrl, page.slug) }, 201);
  });

  // Operator API.
  app.get('/api/v1/deliveries', auth, async (c) => {
    if (c.get('principal').kind !== 'admin') throw new AppError('forbidden', 'deliveries need the admin key');
    const state = c.req.query('state');
    const states = ['pending', 'sending', 'sent', 'failed', 'dead', 'skipped'];
    if (state !== undefined && !states.includes(state)) throw new AppError('bad_request', `state must be one of ${states.join(', ')}`);
    let q = db.selectFrom('deliveries').select(['id', 'event_key', 'recipient', 'channel', 'subscriber_id', 'state', 'attempts', 'next_attempt_at', 'last_error', 'sent_at', 'created_at']);
    if (state) q = q.where('state', '=', state as never);
    const rows = await q.orderBy('created_at', 'desc').limit(200).execute();
    return c.json({ data: rows, next_cursor: null });
  });
  app.post('/api/v1/deliveries/:id/retry', auth, async (c) => {
    if (c.get('principal').kind !== 'admin') throw new AppError('forbidden', 'deliveries need the admin key');
    const id = c.req.param('id');
    const r = await db
      .updateTable('deliveries')
      .set({ state: 'pending', next_attempt_at: clock.now(), last_error: null })
      .where('id', '=', UUID.test(id) ? id : randomUUID())
      .where('state', 'in', ['failed', 'dead', 'skipped'])
      .returning(['id', 'state'])
      .executeTakeFirst();
    if (!r) throw new AppError('not_found', `no failed, dead or skipped delivery ${id}`);
    return c.json(r);
  });
  app.get('/api/v1/mailbox', auth, async (c) => {
    if (c.get('principal').kind !== 'admin') throw new AppError('forbidden', 'the mailbox needs the admin key');
    const rows = await db.selectFrom('mailbox').selectAll().orderBy('id', 'desc').limit(100).execute();
    return c.json({ data: rows.map((m) => ({ ...m, id: m.id.toString() })), next_cursor: null });
  });

  return app;
}
