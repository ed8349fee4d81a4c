import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { CheckDeletePage, CheckEditPage, type CheckEditValues } from '../../console-ui/check-edit.js';
import { NotFoundPage } from '../../console-ui/layout.js';
import { validateCheckSpec, type CheckManagement, type CheckRow, type Scope } from '../heartbeats/index.js';
import type { ConsoleSession } from './sessions.js';
import { viewerOf } from './viewer.js';

type Env = { Variables: { session: ConsoleSession } };
type Render = (c: Context<Env>, body: unknown, status?: number) => Response;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const scopeOf = (s: ConsoleSession): Scope => ({ admin: s.kind === 'admin', tenantId: s.tenantId });
const text = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');

function valuesOf(row: CheckRow): CheckEditValues {
  return { id: row.id, name: row.name, tags: row.tags, kind: row.kind, timeout: String(row.timeout_s), schedule: row.schedule, tz: row.tz, grace: String(row.grace_s) };
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
export function checkEditPages(deps: { checks: CheckManagement; signedIn: MiddlewareHandler<Env>; html: Render }): Hono<Env> {
  const { checks, signedIn, html } = deps;
  const app = new Hono<Env>();
  const find = async (c: Context<Env>) => {
    const id = c.req.param('id') ?? '';
    return UUID.test(id) ? checks.get(scopeOf(c.get('session')), id) : undefined;
  };
  const notFound = (c: Context<Env>) => html(c, NotFoundPage({ viewer: viewerOf(c.get('session')), back: { href: '/console/checks', label: 'Back to checks' } }), 404);

  app.get('/checks/:id/edit', signedIn, async (c) => {
    const row = await find(c);
    if (!row) return notFound(c);
    return html(c, CheckEditPage({ viewer: viewerOf(c.get('session')), values: valuesOf(row) }));
  });

  app.post('/checks/:id/edit', signedIn, async (c) => {
    const row = await find(c);
    if (!row) return notFound(c);
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const typed: CheckEditValues = {
      ...valuesOf(row),
      name: text(form.name, 100),
      tags: text(form.tags, 500),
      ...(row.kind === 'simple' ? { timeout: text(form.timeout, 20) } : { schedule: text(form.schedule, 100), tz: text(form.tz, 36) }),
      grace: text(form.grace, 20),
    };
    const body = {
      name: typed.name.trim(),
      tags: typed.tags.trim(),
      grace: seconds(typed.grace),
      ...(row.kind === 'simple' ? { timeout: seconds(typed.timeout) } : { schedule: typed.schedule.trim(), tz: typed.tz.trim() }),
    };
    const checked = validateCheckSpec(body);
    if ('error' in checked) return html(c, CheckEditPage({ viewer: viewerOf(c.get('session')), values: typed, error: checked.error.replace(/^json validation error: /, '') }), 400);
    const updated = await checks.update(scopeOf(c.get('session')), row.id, checked.spec);
    if (!updated) return notFound(c);
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
