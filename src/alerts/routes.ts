import { Hono, type Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { readJsonObject } from '../http/json-body.js';
import { requireApiKey } from '../http/middleware/api-key.js';
import { idempotency } from '../http/middleware/idempotency.js';
import type { Logger } from '../logger.js';
import { listAlertEvents } from '../signals/index.js';
import { messageOf } from './dispatcher.js';
import { CHANNEL_KINDS } from './kinds.js';
import type { AlertChannels } from './service.js';
import type { ChannelRow, Owner } from './store.js';
import type { ChannelKind } from './table.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function stateOf(c: ChannelRow): string {
  if (c.quarantined_at) return 'quarantined';
  if (c.kind === 'email' && !c.confirmed_at) return 'unconfirmed';
  return c.failing_since ? 'failing' : 'active';
}

export function channelJson(c: ChannelRow) {
  return {
    id: c.id,
    kind: c.kind,
    name: c.name,
    config: c.config,
    default: c.is_default,
    state: stateOf(c),
    tenant_id: c.tenant_id,
    confirmed_at: c.confirmed_at?.toISOString() ?? null,
    failing_since: c.failing_since?.toISOString() ?? null,
    quarantined_at: c.quarantined_at?.toISOString() ?? null,
    last_error: c.last_error,
    created_at: c.created_at.toISOString(),
    updated_at: c.updated_at.toISOString(),
  };
}

function defaultOf(v: unknown): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new AppError('validation_failed', 'default must be true or false');
  return v;
}

const limitOf = (raw: string | undefined) => {
  const n = raw === undefined ? 50 : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new AppError('bad_request', 'limit must be an integer from 1 to 200');
  return n;
};

/**
 * Whose channels a request acts on: a tenant key, its tenant's; the admin
 * key, the platform's (or a tenant's with `?tenant_id=`).
 */
function ownerOf(c: Context<AppEnv>): Owner {
  const p = c.get('principal');
  if (p.kind !== 'admin') return { tenantId: p.tenantId };
  const t = c.req.query('tenant_id');
  if (t === undefined || t === '') return { tenantId: null };
  if (!UUID.test(t)) throw new AppError('bad_request', 'tenant_id must be a tenant id');
  return { tenantId: t };
}

/** `/api/v1/channels` (operators' alert channels) and `/api/v1/alerts` (what was alerted). */
export function alertRoutes(deps: { db: Kysely<Database>; clock: Clock; logger: Logger; channels: AlertChannels }): Hono<AppEnv> {
  const { channels } = deps;
  const app = new Hono<AppEnv>();
  const auth = requireApiKey(deps.db);
  const idem = idempotency(deps);

  // The secret part of `config` is in this answer only; a replay of the same Idempotency-Key answers without it.
  app.post('/api/v1/channels', auth, idem, async (c) => {
    const b = await readJsonObject(c);
    const kind = b.kind as ChannelKind;
    if (!CHANNEL_KINDS.includes(kind)) throw new AppError('validation_failed', `kind must be one of ${CHANNEL_KINDS.join(', ')}`);
    const { channel, secret } = await channels.create(ownerOf(c), { kind, name: b.name as string, config: b.config, isDefault: defaultOf(b.default) ?? false });
    c.set('idempotentReplay', { status: 201, body: JSON.stringify(channelJson(channel)) });
    return c.json({ ...channelJson(channel), ...(secret && { secret }) }, 201);
  });

  app.get('/api/v1/channels', auth, async (c) => {
    const limit = limitOf(c.req.query('limit'));
    const cursor = c.req.query('cursor');
    let after: { createdAt: Date; id: string } | null = null;
    if (cursor) {
      const [ms, id] = cursor.split('_');
      if (!/^\d{1,15}$/.test(ms ?? '') || !UUID.test(id ?? '')) throw new AppError('bad_request', 'cursor must be a next_cursor value');
      after = { createdAt: new Date(Number(ms)), id: id! };
    }
    const rows = await channels.list(ownerOf(c), after, limit);
    const last = rows[rows.length - 1];
    return c.json({ data: rows.map(channelJson), next_cursor: rows.length === limit && last ? `${last.created_at.getTime()}_${last.id}` : null });
  });

  app.get('/api/v1/channels/:id', auth, async (c) => c.json(channelJson(await channels.get(ownerOf(c), c.req.param('id')))));

  // A new `config` replaces the receiver: its secret part is returned once more, in this answer.
  app.patch('/api/v1/channels/:id', auth, async (c) => {
    const b = await readJsonObject(c);
    const unknown = Object.keys(b).filter((k) => !['name', 'config', 'default'].includes(k));
    if (unknown.length) throw new AppError('validation_failed', `unknown fields: ${unknown.slice(0, 5).join(', ')} (kind cannot change: create another channel)`);
    const { channel, secret } = await channels.update(ownerOf(c), c.req.param('id'), {
      ...(b.name !== undefined && { name: b.name as string }),
      ...(b.config !== undefined && { config: b.config }),
      ...(b.default !== undefined && { isDefault: defaultOf(b.default)! }),
    });
    return c.json({ ...channelJson(channel), ...(secret && { secret }) });
  });

  app.delete('/api/v1/channels/:id', auth, async (c) => {
    await channels.remove(ownerOf(c), c.req.param('id'));
    return c.body(null, 204);
  });

  // Sends now, synchronously, and says what the receiver answered.
  app.post('/api/v1/channels/:id/test', auth, async (c) => {
    const outcome = await channels.test(ownerOf(c), c.req.param('id'));
    return c.json(outcome.delivered ? { delivered: true } : { delivered: false, status: outcome.status, error: outcome.error });
  });

  app.get('/api/v1/alerts', auth, async (c) => {
    const limit = limitOf(c.req.query('limit'));
    const cursor = c.req.query('cursor');
    if (cursor !== undefined && !/^\d{1,18}$/.test(cursor)) throw new AppError('bad_request', 'cursor must be a next_cursor value');
    const rows = await listAlertEvents(deps.db, ownerOf(c), cursor ? BigInt(cursor) : null, limit);
    return c.json({
      data: rows.map((e) => {
        const m = messageOf(e);
        return { id: e.id.toString(), kind: e.kind, severity: e.severity, state: m.state, title: e.title, text: e.text, source: e.source, facts: m.facts, excerpt: m.excerpt, links: m.links, created_at: e.created_at.toISOString(), dispatched_at: e.dispatched_at?.toISOString() ?? null };
      }),
      next_cursor: rows.length === limit ? rows[rows.length - 1]!.id.toString() : null,
    });
  });

  // The email confirmation link: a page with one button, so a mail scanner that follows links confirms nothing.
  app.get('/channels/confirm', (c) => {
    const token = c.req.query('token') ?? '';
    if (!/^[A-Za-z0-9._-]{1,600}$/.test(token)) return c.html(page('This link is not valid', '<p>The confirmation link is incomplete. Copy the whole link from the mail.</p>'), 400);
    return c.html(page('Confirm alert address', `<form method="post" action="/channels/confirm"><input type="hidden" name="token" value="${token}"><p>Receive Overdue alerts at this address?</p><button type="submit">Confirm</button></form>`));
  });
  app.post('/channels/confirm', async (c) => {
    let token = '';
    try {
      const form = await c.req.parseBody();
      token = typeof form.token === 'string' ? form.token : '';
    } catch {
      // an unreadable form is an invalid link below
    }
    const ok = /^[A-Za-z0-9._-]{1,600}$/.test(token) && (await channels.confirm(token));
    if (!ok) return c.html(page('This link is not valid', '<p>The link has expired or the channel was removed. Ask for a new one by saving the channel again.</p>'), 400);
    return c.html(page('Address confirmed', '<p>This address now receives Overdue alerts.</p>'));
  });
  return app;
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex"><title>${title}</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`;
