import { NotFoundPage } from '../../console-ui/layout.js';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { MaintenancePage, MaintenancesPage, type MaintenanceForm, type MaintenanceItem } from '../../console-ui/maintenances.js';
import { AppError } from '../errors.js';
import { checkText, type IncidentRow, type PageRow, type PageService, type IncidentService } from '../incidents/index.js';
import { normalizeTimeZone } from '../time/cron.js';
import { fromLocal, toLocal } from '../time/local-time.js';
import { utc } from './check-views.js';
import { badge, componentChoices, pageChoice, publicPath, updateItems, visiblePages } from './incident-views.js';
import type { ConsoleSession } from './sessions.js';
import { UUID, viewerOf } from './viewer.js';

type Env = { Variables: { session: ConsoleSession } };
type Render = (c: Context<Env>, body: unknown, status?: number) => Response;
type Notice = { ok: boolean; text: string };

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
const pad = (n: number) => String(n).padStart(2, '0');

/** A datetime-local value ("2026-12-05T22:00") read as wall time in `zone`. */
function instantIn(value: string, zone: string, field: string): Date {
  const m = LOCAL.exec(value);
  if (!m) throw new AppError('validation_failed', `${field} must be a date and time`);
  const [year, month, day, hour, minute, second] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) throw new AppError('validation_failed', `${field} is not a valid date and time`);
  return fromLocal({ year, month, day, hour, minute, second }, zone);
}

/** The instant as a datetime-local value in `zone`. */
function localValue(d: Date, zone: string): string {
  const l = toLocal(d, zone);
  return `${l.year}-${pad(l.month)}-${pad(l.day)}T${pad(l.hour)}:${pad(l.minute)}`;
}

const windowOf = (i: IncidentRow) => `${i.scheduled_for ? utc(i.scheduled_for) : '?'} → ${i.scheduled_until ? utc(i.scheduled_until) : '?'}`;

function item(i: IncidentRow, page: PageRow | undefined): MaintenanceItem {
  return { id: i.id, name: i.name, status: badge(i.status), page: page?.name ?? '', window: windowOf(i), fromIso: (i.scheduled_for ?? i.created_at).toISOString() };
}

/** The form's fields: name, zone, window, `component:<id>` checkboxes. */
function readForm(f: Record<string, unknown>): MaintenanceForm {
  return {
    page: str(f.page),
    name: str(f.name),
    body: str(f.body),
    zone: str(f.zone) || 'UTC',
    from: str(f.from),
    until: str(f.until),
    components: Object.keys(f)
      .filter((k) => k.startsWith('component:') && f[k] === 'on')
      .map((k) => k.slice('component:'.length)),
  };
}

/** The window in the form's zone, checked: a known zone, two valid times, the end after the start. */
function windowIn(form: MaintenanceForm): { from: Date; until: Date } {
  const zone = normalizeTimeZone(form.zone);
  if (!zone) throw new AppError('validation_failed', 'the time zone must be an IANA name, e.g. Europe/Berlin, or UTC');
  const from = instantIn(form.from, zone, 'the start');
  const until = instantIn(form.until, zone, 'the end');
  if (until <= from) throw new AppError('validation_failed', 'the window must end after it starts');
  return { from, until };
}

/**
 * `/console/maintenances…` (mounted under /console): schedule (window in the
 * zone the viewer picks, UTC by default), edit while scheduled, cancel; over
 * IncidentService, as the manual API. A cancelled maintenance is completed
 * with an update saying it was cancelled (subscribers are told).
 */
export function maintenancePages(deps: { pages: PageService; incidents: IncidentService; signedIn: MiddlewareHandler<Env>; html: Render }): Hono<Env> {
  const { pages, incidents, signedIn, html } = deps;
  const app = new Hono<Env>();
  const zonesOf = (page: PageRow | undefined) => [...new Set(['UTC', ...(page ? [page.time_zone] : [])])];
  const notFound = (c: Context<Env>) => html(c, NotFoundPage({ viewer: viewerOf(c.get('session')), back: { href: '/console/maintenances', label: 'Maintenances' } }), 404);

  const list = async (c: Context<Env>, form: Partial<MaintenanceForm>, notice?: Notice, status = 200) => {
    const visible = await visiblePages(pages, c.get('session'));
    const byId = new Map(visible.map((p) => [p.id, p]));
    const page = visible.find((p) => p.slug === form.page) ?? visible[0];
    const { data } = await incidents.list('maintenance', visible.map((p) => p.id), undefined);
    const components = page ? componentChoices((await pages.components(page)).components) : [];
    const full: MaintenanceForm = { name: '', body: '', zone: 'UTC', from: '', until: '', components: [], ...form, page: page?.slug ?? '' };
    return html(c, MaintenancesPage({ viewer: viewerOf(c.get('session')), items: data.map((d) => item(d.incident, byId.get(d.incident.page_id))), pages: visible.map(pageChoice), components, zones: zonesOf(page), form: full, ...(notice && { notice }) }), status);
  };

  app.get('/maintenances', signedIn, (c) => list(c, { page: c.req.query('page') ?? '' }));

  app.post('/maintenances', signedIn, async (c) => {
    const form = readForm(await c.req.parseBody());
    const page = (await visiblePages(pages, c.get('session'))).find((p) => p.slug === form.page);
    if (!page) return list(c, form, { ok: false, text: 'Choose one of your status pages.' }, 400);
    try {
      const { from, until } = windowIn(form);
      const m = await incidents.scheduleMaintenance(page.id, {
        name: checkText(form.name, 'name')!,
        body: checkText(form.body, 'body', { max: 20_000 })!,
        scheduledFor: from,
        scheduledUntil: until,
        componentIds: form.components,
      });
      return c.redirect(`/console/maintenances/${m.id}`, 303);
    } catch (err) {
      if (err instanceof AppError) return list(c, form, { ok: false, text: err.message }, err.code === 'not_found' ? 404 : 400);
      throw err;
    }
  });

  const maintenanceOf = async (c: Context<Env>): Promise<{ incident: IncidentRow; page: PageRow } | undefined> => {
    const id = c.req.param('id') ?? '';
    const found = UUID.test(id) ? await incidents.find(id) : undefined;
    if (!found || found.incident.kind !== 'maintenance') return undefined;
    return (await visiblePages(pages, c.get('session'))).some((p) => p.id === found.page.id) ? found : undefined;
  };

  const one = async (c: Context<Env>, found: { incident: IncidentRow; page: PageRow }, form?: MaintenanceForm, notice?: Notice, status = 200) => {
    const { data, components } = await incidents.view(found.incident.id);
    const i: IncidentRow = data.incident;
    const zone = normalizeTimeZone(c.req.query('zone') ?? '') ?? 'UTC';
    const named = components.filter((x) => data.componentIds.includes(x.id));
    const shown: MaintenanceForm = form ?? {
      page: found.page.slug,
      name: i.name,
      body: '',
      zone,
      from: i.scheduled_for ? localValue(i.scheduled_for, zone) : '',
      until: i.scheduled_until ? localValue(i.scheduled_until, zone) : '',
      components: data.componentIds,
    };
    return html(
      c,
      MaintenancePage({
        viewer: viewerOf(c.get('session')),
        item: {
          ...item(i, found.page),
          scheduled: i.status === 'scheduled',
          finished: i.status === 'completed',
          publicPageHref: publicPath(found.page.slug),
          components: named.map((x) => ({ name: x.name, status: badge(x.status) })),
          updates: updateItems(data),
        },
        components: componentChoices(components),
        zones: zonesOf(found.page),
        form: shown,
        ...(notice && { notice }),
      }),
      status,
    );
  };

  app.get('/maintenances/:id', signedIn, async (c) => {
    const found = await maintenanceOf(c);
    return found ? one(c, found) : notFound(c);
  });

  app.post('/maintenances/:id', signedIn, async (c) => {
    const found = await maintenanceOf(c);
    if (!found) return notFound(c);
    const form = readForm(await c.req.parseBody());
    try {
      const { from, until } = windowIn(form);
      await incidents.reschedule(found.incident, { name: checkText(form.name, 'name')!, scheduledFor: from, scheduledUntil: until, componentIds: form.components });
      return c.redirect(`/console/maintenances/${found.incident.id}`, 303);
    } catch (err) {
      if (err instanceof AppError) return one(c, found, form, { ok: false, text: err.message }, err.code === 'invalid_state' ? 409 : 400);
      throw err;
    }
  });

  app.post('/maintenances/:id/cancel', signedIn, async (c) => {
    const found = await maintenanceOf(c);
    if (!found) return notFound(c);
    if (found.incident.status === 'completed') return one(c, found, undefined, { ok: false, text: 'This maintenance is over already.' }, 409);
    const started = found.incident.status !== 'scheduled';
    const body = started ? 'This maintenance was ended early.' : 'This scheduled maintenance has been cancelled.';
    await incidents.postUpdate(found.incident, { status: 'completed', body, components: null, deliver: true });
    return c.redirect(`/console/maintenances/${found.incident.id}`, 303);
  });
  return app;
}
