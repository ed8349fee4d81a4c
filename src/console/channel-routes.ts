import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { ChannelsPage, type ChannelItem } from '../../console-ui/channels.js';
import type { AlertChannels } from '../alerts/index.js';
import { AppError } from '../errors.js';
import type { ChannelUsers } from './ports.js';
import type { ConsoleSession } from './sessions.js';
import { UUID, viewerOf } from './viewer.js';

type Env = { Variables: { session: ConsoleSession } };
type Render = (c: Context<Env>, body: unknown, status?: number) => Response;

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

function itemOf(c: Awaited<ReturnType<AlertChannels['list']>>[number], users: { total: number; first: { id: string; name: string }[] } = { total: 0, first: [] }): ChannelItem {
  const shown = c.config as Record<string, string>;
  const state = c.quarantined_at ? 'quarantined' : c.kind === 'email' && !c.confirmed_at ? 'waiting for the address to confirm' : c.failing_since ? 'failing' : 'active';
  return { id: c.id, kind: c.kind, name: c.name, shown: shown.to ?? shown.host ?? shown.routing_key_hint ?? '', state, isDefault: c.is_default, lastError: c.last_error, usedBy: users.first.map((u) => ({ href: `/console/checks/${u.id}`, label: u.name || '(unnamed check)' })), usedByMore: Math.max(0, users.total - users.first.length) };
}

/** `/console/channels` (mounted under /console): the viewer's alert channels through alerting's service (the same as /api/v1/channels). */
export function channelPages(deps: { channels: AlertChannels; users: ChannelUsers; signedIn: MiddlewareHandler<Env>; html: Render }): Hono<Env> {
  const { channels, signedIn, html } = deps;
  const app = new Hono<Env>();
  const owner = (c: Context<Env>) => ({ tenantId: c.get('session').tenantId });
  const page = async (c: Context<Env>, extra: { notice?: { ok: boolean; text: string }; secret?: { name: string; value: string } } = {}, status = 200) => {
    // The checks that alert each channel: the owner's checks (the admin key's channels are the
    // platform's, heard by the platform's checks), each through its routing or else the owner's
    // defaults, as the dispatcher sends; counted in the database, USERS_SHOWN named per channel.
    const [list, users] = await Promise.all([channels.list(owner(c), null, 200), deps.users(owner(c), USERS_SHOWN)]);
    return html(c, ChannelsPage({ viewer: viewerOf(c.get('session')), channels: list.map((ch) => itemOf(ch, users.get(ch.id))), ...extra }), status);
  };

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
