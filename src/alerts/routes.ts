import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { readJsonObject } from '../http/json-body.js';
import { requireApiKey } from '../http/middleware/api-key.js';
import { idempotency } from '../http/middleware/idempotency.js';
import { apiRouter, errors, IdempotencyHeader, instant, jsonResponse, listOf, operation, pageQuery, pathParams, requestJson, z } from '../http/openapi.js';
import type { Logger } from '../logger.js';
import { listAlertEvents } from '../signals/index.js';
import { messageOf } from './dispatcher.js';
import { CHANNEL_KINDS } from './kinds.js';
import type { AlertChannels } from './service.js';
import type { ChannelRow, Owner } from './store.js';
import type { ChannelKind } from './table.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const Channel = z
  .object({
    id: z.string().openapi({ format: 'uuid' }),
    kind: z.enum(CHANNEL_KINDS as [ChannelKind, ...ChannelKind[]]),
    name: z.string(),
    config: z.unknown().openapi({ type: 'object', description: 'What may be shown again: the address, or the receiver host; never a secret' }),
    default: z.boolean().openapi({ description: 'Given to checks created after it; alerts with no routing go to the default channels' }),
    state: z.enum(['active', 'unconfirmed', 'failing', 'quarantined']),
    tenant_id: z.string().nullable().openapi({ format: 'uuid' }),
    confirmed_at: instant().nullable(),
    failing_since: instant().nullable(),
    quarantined_at: instant().nullable(),
    last_error: z.string().nullable(),
    created_at: instant(),
    updated_at: instant(),
  })
  .openapi('AlertChannel');
const WithSecret = Channel.extend({
  secret: z.record(z.string(), z.unknown()).optional().openapi({ description: 'Only in the answer that set it (create, or PATCH with a new config): the URL, routing key, token or whsec_ signing secret' }),
});
const channelFields = {
  kind: z.enum(CHANNEL_KINDS as [ChannelKind, ...ChannelKind[]]),
  name: z.string().min(1).max(100),
  default: z.boolean().optional(),
  config: z.record(z.string(), z.unknown()).openapi({
    description:
      'email {"to"}; webhook {"url"} (Standard Webhooks signed); slack {"url"} (incoming webhook); discord {"url"}; msteams {"url"} (Workflows webhook); pagerduty {"routing_key"} (Events API v2); ntfy {"url","token"?}',
  }),
};
const Alert = z
  .object({
    id: z.string(),
    kind: z.string().openapi({ description: 'check.down, check.up, expectation.failing, incident.published, test, …' }),
    severity: z.string(),
    state: z.enum(['failing', 'recovered', 'info']),
    title: z.string(),
    text: z.string(),
    source: z.string().nullable(),
    facts: z.array(z.object({ name: z.string(), value: z.string() })),
    excerpt: z.string().nullable(),
    links: z.array(z.object({ label: z.string(), url: z.string() })),
    created_at: instant(),
    dispatched_at: instant().nullable(),
  })
  .openapi('Alert');
const OwnerQuery = z.object({ tenant_id: z.string().optional().openapi({ format: 'uuid', description: "Admin key only: act on this tenant's channels (default: the platform's)" }) });

function stateOf(c: ChannelRow): 'active' | 'unconfirmed' | 'failing' | 'quarantined' {
  if (c.quarantined_at) return 'quarantined';
  if (c.kind === 'email' && !c.confirmed_at) return 'unconfirmed';
  return c.failing_since ? 'failing' : 'active';
}

export function channelJson(c: ChannelRow): z.infer<typeof Channel> {
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
export function alertRoutes(deps: { db: Kysely<Database>; clock: Clock; logger: Logger; channels: AlertChannels }): OpenAPIHono<AppEnv> {
  const { channels } = deps;
  const app = apiRouter<AppEnv>();
  const id = pathParams({ id: 'uuid' });
  const auth = requireApiKey(deps.db);
  const idem = idempotency(deps);

  // The secret part of `config` is in this answer only; a replay of the same Idempotency-Key answers without it.
  operation(app, {
    method: 'post',
    path: '/api/v1/channels',
    operationId: 'createChannel',
    summary: 'Create an alert channel (a tenant key: its tenant; the admin key: the platform). An email address gets alerts after it confirms a link.',
    middleware: [auth, idem],
    request: { query: OwnerQuery, headers: IdempotencyHeader, body: requestJson(z.object(channelFields)) },
    responses: { 201: jsonResponse(WithSecret, 'The channel, with its secret (shown this once)'), ...errors({ 400: 'Bad kind, name or config, or a non-public URL', 409: 'A channel with this name exists' }) },
  }, async (c) => {
    const b = await readJsonObject(c);
    const kind = b.kind as ChannelKind;
    if (!CHANNEL_KINDS.includes(kind)) throw new AppError('validation_failed', `kind must be one of ${CHANNEL_KINDS.join(', ')}`);
    const { channel, secret } = await channels.create(ownerOf(c), { kind, name: b.name as string, config: b.config, isDefault: defaultOf(b.default) ?? false });
    c.set('idempotentReplay', { status: 201, body: JSON.stringify(channelJson(channel)) });
    return c.json({ ...channelJson(channel), ...(secret && { secret }) }, 201);
  });

  operation(app, {
    method: 'get',
    path: '/api/v1/channels',
    operationId: 'listChannels',
    summary: 'Alert channels',
    middleware: auth,
    request: { query: OwnerQuery.extend(pageQuery(200)) },
    responses: { 200: jsonResponse(listOf(Channel), 'A page of channels') },
  }, async (c) => {
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

  operation(
    app,
    {
      method: 'get',
      path: '/api/v1/channels/{id}',
      operationId: 'getChannel',
      summary: 'An alert channel (no secrets)',
      middleware: auth,
      request: { params: id, query: OwnerQuery },
      responses: { 200: jsonResponse(Channel, 'The channel'), ...errors([404]) },
    },
    async (c) => c.json(channelJson(await channels.get(ownerOf(c), c.req.param('id')!))),
  );

  // A new `config` replaces the receiver: its secret part is returned once more, in this answer.
  operation(app, {
    method: 'patch',
    path: '/api/v1/channels/{id}',
    operationId: 'updateChannel',
    summary: 'Rename, make default, or give a new config (its secret is returned once; a new email address confirms again)',
    middleware: auth,
    request: { params: id, query: OwnerQuery, body: requestJson(z.object({ name: channelFields.name, default: channelFields.default, config: channelFields.config }).partial()) },
    responses: { 200: jsonResponse(WithSecret, 'The channel'), ...errors([404]) },
  }, async (c) => {
    const b = await readJsonObject(c);
    const unknown = Object.keys(b).filter((k) => !['name', 'config', 'default'].includes(k));
    if (unknown.length) throw new AppError('validation_failed', `unknown fields: ${unknown.slice(0, 5).join(', ')} (kind cannot change: create another channel)`);
    const { channel, secret } = await channels.update(ownerOf(c), c.req.param('id')!, {
      ...(b.name !== undefined && { name: b.name as string }),
      ...(b.config !== undefined && { config: b.config }),
      ...(b.default !== undefined && { isDefault: defaultOf(b.default)! }),
    });
    return c.json({ ...channelJson(channel), ...(secret && { secret }) });
  });

  operation(app, {
    method: 'delete',
    path: '/api/v1/channels/{id}',
    operationId: 'deleteChannel',
    summary: 'Delete an alert channel',
    middleware: auth,
    request: { params: id, query: OwnerQuery },
    responses: { 204: { description: 'Deleted' }, ...errors([404]) },
  }, async (c) => {
    await channels.remove(ownerOf(c), c.req.param('id')!);
    return c.body(null, 204);
  });

  // Sends now, synchronously, and says what the receiver answered.
  operation(app, {
    method: 'post',
    path: '/api/v1/channels/{id}/test',
    operationId: 'testChannel',
    summary: 'Send a test alert now; a success lifts a quarantine',
    middleware: auth,
    request: { params: id, query: OwnerQuery },
    responses: {
      200: jsonResponse(z.object({ delivered: z.boolean(), status: z.number().int().nullable().optional(), error: z.string().optional() }), '{"delivered":true} or {"delivered":false,"status","error"}'),
      ...errors({ 404: 'Not found', 409: 'Email address not confirmed' }),
    },
  }, async (c) => {
    const outcome = await channels.test(ownerOf(c), c.req.param('id')!);
    return c.json(outcome.delivered ? { delivered: true } : { delivered: false, status: outcome.status, error: outcome.error });
  });

  operation(app, {
    method: 'get',
    path: '/api/v1/alerts',
    operationId: 'listAlerts',
    summary: 'What was alerted, newest first (the events each channel was sent)',
    middleware: auth,
    request: { query: OwnerQuery.extend(pageQuery(200)) },
    responses: { 200: jsonResponse(listOf(Alert), 'A page of alerts') },
  }, async (c) => {
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
