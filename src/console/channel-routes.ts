import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { ChannelsPage, type ChannelItem } from '../../console-ui/channels.js';
import type { AlertChannels } from '../alerts/index.js';
import { AppError } from '../errors.js';
import { PLATFORM_TAG, type CheckManagement } from '../heartbeats/index.js';
import type { ConsoleSession } from './sessions.js';
import { viewerOf } from './viewer.js';

type Env = { Variables: { session: ConsoleSession } };
type Render = (c: Context<Env>, body: unknown, status?: number) => Response;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KINDS = ['email', 'webhook', 'slack', 'discord', 'msteams', 'pagerduty', 'ntfy'] as const;

/** Checks named per channel on its row; the rest are counted. */
const USERS_SHOWN = 20;

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** The form's fields as the kind's `config` (what the API takes). */
function configOf(kind: string, form: Record<string, unknown>): Record<string, string> {
  switch (kind) {
    case 'email':
      return { to: str(form.to) };
    case 'pagerduty':
      return { routing_key: str(form.routing_key) };
    case 'ntfy':
      return { url: str(form.url), ...(str(form.token) && { token: str(form.token) }) };
    default:
      return { url: str(form.url) };
  }
}

function itemOf(c: Awaited<ReturnType<AlertChannels['list']>>[number], users: { id: string; name: string }[] = []): ChannelItem {
  const shown = c.config as Record<string, string>;
  const state = c.quarantined_at ? 'quarantined' : c.kind === 'email' && !c.confirmed_at ? 'waiting for the address to confirm' : c.failing_since ? 'failing' : 'active';
  return { id: c.id, kind: c.kind, name: c.name, shown: shown.to ?? shown.host ?? shown.routing_key_hint ?? '', state, isDefault: c.is_default, lastError: c.last_error, usedBy: users.slice(0, USERS_SHOWN).map((u) => ({ href: `/console/checks/${u.id}`, label: u.name || '(unnamed check)' })), usedByMore: Math.max(0, users.length - USERS_SHOWN) };
}

/** `/console/channels` (mounted under /console): the viewer's alert channels through alerting's service (the same as /api/v1/channels). */
export function channelPages(deps: { channels: AlertChannels; checks: CheckManagement; signedIn: MiddlewareHandler<Env>; html: Render }): Hono<Env> {
  const { channels, checks, signedIn, html } = deps;
  const app = new Hono<Env>();
  const owner = (c: Context<Env>) => ({ tenantId: c.get('session').tenantId });
  const page = async (c: Context<Env>, extra: { notice?: { ok: boolean; text: string }; secret?: { name: string; value: string } } = {}, status = 200) => {
    const list = await channels.list(owner(c), null, 200);
    const users = await usersOf(c);
    return html(c, ChannelsPage({ viewer: viewerOf(c.get('session')), channels: list.map((ch) => itemOf(ch, users.get(ch.id))), ...extra }), status);
  };

  /**
   * The checks that alert each channel: the owner's checks (the admin key's
   * channels are the platform's, heard by the platform's checks), each through
   * its routing or else the owner's defaults, as the dispatcher sends.
   */
  async function usersOf(c: Context<Env>): Promise<Map<string, { id: string; name: string }[]>> {
    const s = c.get('session');
    const scope = { admin: s.kind === 'admin', tenantId: s.tenantId };
    const [own, platform] = await Promise.all([checks.list(scope, { tags: [] }), scope.admin ? checks.list(scope, { tags: [PLATFORM_TAG] }) : Promise.resolve([])]);
    const mine = [...own, ...platform].filter((ch) => ch.tenant_id === s.tenantId);
    const routes = await channels.effective(owner(c), mine.map((ch) => `check:${ch.id}`));
    const users = new Map<string, { id: string; name: string }[]>();
    for (const check of mine) {
      for (const channelId of routes.get(`check:${check.id}`) ?? []) users.set(channelId, [...(users.get(channelId) ?? []), { id: check.id, name: check.name }]);
    }
    for (const list of users.values()) list.sort((a, b) => a.name.localeCompare(b.name));
    return users;
  }

  app.get('/channels', signedIn, (c) => page(c));

  app.post('/channels', signedIn, async (c) => {
    const form = await c.req.parseBody();
    const kind = str(form.kind);
    if (!(KINDS as readonly string[]).includes(kind)) return page(c, { notice: { ok: false, text: 'Choose a kind of channel.' } }, 400);
    try {
      const { channel, secret } = await channels.create(owner(c), { kind: kind as (typeof KINDS)[number], name: typeof form.name === 'string' ? form.name : '', config: configOf(kind, form), isDefault: form.default === 'true' });
      const shown = kind === 'webhook' && secret?.signing_secret ? { name: channel.name, value: secret.signing_secret } : undefined;
      const text = kind === 'email' ? `Added ${channel.name}: a confirmation link was mailed to the address; it gets alerts once confirmed.` : `Added ${channel.name}. Send it a test to check it arrives.`;
      return page(c, { notice: { ok: true, text }, ...(shown && { secret: shown }) }, 201);
    } catch (err) {
      if (err instanceof AppError) return page(c, { notice: { ok: false, text: err.message } }, 400);
      throw err;
    }
  });

  app.post('/channels/:id/test', signedIn, async (c) => {
    const id = c.req.param('id');
    try {
      const outcome = await channels.test(owner(c), UUID.test(id) ? id : 'none');
      return page(c, { notice: outcome.delivered ? { ok: true, text: 'Test alert delivered.' } : { ok: false, text: `Not delivered: ${outcome.error}` } });
    } catch (err) {
      if (err instanceof AppError) return page(c, { notice: { ok: false, text: err.message } }, err.code === 'not_found' ? 404 : 409);
      throw err;
    }
  });

  app.post('/channels/:id/delete', signedIn, async (c) => {
    const id = c.req.param('id');
    try {
      await channels.remove(owner(c), UUID.test(id) ? id : 'none');
    } catch (err) {
      if (err instanceof AppError) return page(c, { notice: { ok: false, text: err.message } }, 404);
      throw err;
    }
    return c.redirect('/console/channels', 303);
  });
  return app;
}
