import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { CheckDeletePage, CheckEditPage, type ChannelChoice, type CheckEditValues } from '../../console-ui/check-edit.js';
import { NotFoundPage } from '../../console-ui/layout.js';
import type { AlertChannels } from '../alerts/index.js';
import { hostileJsonString } from '../http/json-body.js';
import { checkSource, validateCheckSpec, type CheckManagement, type CheckRow } from '../heartbeats/index.js';
import type { ConsoleSession } from './sessions.js';
import { scopeOf, UUID, viewerOf } from './viewer.js';

type Env = { Variables: { session: ConsoleSession } };
type Render = (c: Context<Env>, body: unknown, status?: number) => Response;

// Whole, not cut to the API's limits: an over-long field is refused with the API's words, never saved shortened.
const text = (v: unknown) => (typeof v === 'string' ? v : '');

type Channels = Pick<AlertChannels, 'catalog' | 'routed' | 'route' | 'unroute' | 'resolve'>;
const CHANNEL_FIELD = /^channel:([0-9a-f-]{36})$/;

function valuesOf(row: CheckRow, routed: string[] | undefined): CheckEditValues {
  return { id: row.id, name: row.name, tags: row.tags, kind: row.kind, timeout: String(row.timeout_s), schedule: row.schedule, tz: row.tz, grace: String(row.grace_s), channelMode: routed ? 'chosen' : 'default', channels: routed ?? [] };
}

/**
 * A whole number of seconds as typed in the form, or the typed text itself, so
 * the API's own validation refuses it with its own words ("grace must be an integer").
 */
const seconds = (v: string): number | string => (/^\s*\d{1,10}\s*$/.test(v) ? Number(v) : v);

/**
 * `/console/checks/:id/edit` and `/delete`: the same update and delete the
 * v3 API does (`CheckManagement`, validated by the API's own rules), as forms.
 */
export function checkEditPages(deps: { checks: CheckManagement; channels: Channels; signedIn: MiddlewareHandler<Env>; html: Render }): Hono<Env> {
  const { checks, channels, signedIn, html } = deps;
  const app = new Hono<Env>();
  const find = async (c: Context<Env>) => {
    const id = c.req.param('id') ?? '';
    return UUID.test(id) ? checks.get(scopeOf(c.get('session')), id) : undefined;
  };
  /** The owner's channels to choose from, and the check's own routing (absent when it follows the defaults). */
  const routingOf = async (row: CheckRow): Promise<{ catalog: ChannelChoice[]; routed: string[] | undefined }> => {
    const [catalog, routed] = await Promise.all([channels.catalog({ tenantId: row.tenant_id }), channels.routed([checkSource(row.id)])]);
    return { catalog, routed: routed.get(checkSource(row.id)) };
  };
  const notFound = (c: Context<Env>) => html(c, NotFoundPage({ viewer: viewerOf(c.get('session')), back: { href: '/console/checks', label: 'Back to checks' } }), 404);

  app.get('/checks/:id/edit', signedIn, async (c) => {
    const row = await find(c);
    if (!row) return notFound(c);
    const { catalog, routed } = await routingOf(row);
    return html(c, CheckEditPage({ viewer: viewerOf(c.get('session')), values: valuesOf(row, routed), channels: catalog }));
  });

  app.post('/checks/:id/edit', signedIn, async (c) => {
    const row = await find(c);
    if (!row) return notFound(c);
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const { catalog, routed } = await routingOf(row);
    // A form without the channel fields (an older page) leaves the routing as it is.
    const mode = form.channel_mode === 'chosen' || form.channel_mode === 'default' ? form.channel_mode : undefined;
    const picked = Object.keys(form).flatMap((k) => CHANNEL_FIELD.exec(k)?.[1] ?? []).slice(0, 101);
    const typed: CheckEditValues = {
      ...valuesOf(row, routed),
      ...(mode ? { channelMode: mode, channels: picked } : {}),
      name: text(form.name),
      tags: text(form.tags),
      ...(row.kind === 'simple' ? { timeout: text(form.timeout) } : { schedule: text(form.schedule), tz: text(form.tz) }),
      grace: text(form.grace),
    };
    const body = {
      name: typed.name.trim(),
      tags: typed.tags.trim(),
      grace: seconds(typed.grace),
      ...(row.kind === 'simple' ? { timeout: seconds(typed.timeout) } : { schedule: typed.schedule.trim(), tz: typed.tz.trim() }),
    };
    const refuse = (error: string) => html(c, CheckEditPage({ viewer: viewerOf(c.get('session')), values: typed, channels: catalog, error }), 400);
    // As the v3 API reads its JSON: no control characters (Postgres refuses NUL in text), then its rules.
    const hostile = hostileJsonString(body);
    if (hostile) return refuse(`${hostile.path} ${hostile.reason}`);
    const checked = validateCheckSpec(body);
    if ('error' in checked) return refuse(checked.error.replace(/^json validation error: /, ''));
    // The owner's channels only, checked the way the v3 API checks its `channels` field.
    const chosen = mode === 'chosen' ? await channels.resolve({ tenantId: row.tenant_id }, picked.join(',')) : [];
    if (mode === 'chosen' && picked.length === 0) return refuse('choose at least one channel, or use the default channels');
    if ('error' in chosen) return refuse(chosen.error);
    const updated = await checks.update(scopeOf(c.get('session')), row.id, checked.spec);
    if (!updated) return notFound(c);
    if (mode === 'chosen') await channels.route(checkSource(row.id), { tenantId: row.tenant_id }, chosen);
    if (mode === 'default') await channels.unroute(checkSource(row.id));
    return c.redirect(`/console/checks/${row.id}`, 303);
  });

  app.get('/checks/:id/delete', signedIn, async (c) => {
    const row = await find(c);
    if (!row) return notFound(c);
    return html(c, CheckDeletePage({ viewer: viewerOf(c.get('session')), id: row.id, name: row.name }));
  });

  app.post('/checks/:id/delete', signedIn, async (c) => {
    const row = await find(c);
    if (!row) return notFound(c);
    await checks.remove(scopeOf(c.get('session')), row.id);
    return c.redirect('/console/checks', 303);
  });
  return app;
}
