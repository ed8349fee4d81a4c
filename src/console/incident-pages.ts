import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { NotFoundPage } from '../../console-ui/layout.js';
import { ComposerPage, IncidentPage, IncidentsPage, type ComposerForm, type IncidentDetail } from '../../console-ui/incidents.js';
import { AppError } from '../errors.js';
import type { CheckManagement } from '../heartbeats/index.js';
import { checkImpact, checkIncidentStatus, checkText, COMPONENT_STATUSES, INCIDENT_STATUSES, isOpenIncident, type ComponentStatus, type IncidentRow, type IncidentService, type PageRow, type PageService } from '../incidents/index.js';
import { renderMarkdownLite } from '../status/index.js';
import { badge, COMPONENT_OPTIONS, componentChoices, formComponents, IMPACT_OPTIONS, listItem, pageChoice, publicPath, statusOptions, updateItems, visiblePages, words } from './incident-views.js';
import type { ConsoleSession } from './sessions.js';
import { UUID, viewerOf } from './viewer.js';

type Env = { Variables: { session: ConsoleSession } };
type Render = (c: Context<Env>, body: unknown, status?: number) => Response;
type Notice = { ok: boolean; text: string };

const OPEN_STATUSES = INCIDENT_STATUSES.filter((s) => isOpenIncident(s));
const str = (v: unknown) => (typeof v === 'string' ? v : '');
/** An AppError's HTTP status, for re-rendering a refused form. */
const statusOf = (err: AppError) => (err.code === 'not_found' ? 404 : err.code === 'invalid_state' || err.code === 'conflict' ? 409 : 400);

/**
 * `/console/incidents…` (mounted under /console): the viewer's incidents
 * through incidents' IncidentService and PageService (the services the manual
 * API calls): list, compose (with a server-rendered preview), post updates,
 * resolve, postmortem, publish or discard a draft. A tenant key sees only its
 * tenant's pages; someone else's incident is a 404.
 */
export function incidentPages(deps: { pages: PageService; incidents: IncidentService; checks: CheckManagement; signedIn: MiddlewareHandler<Env>; html: Render }): Hono<Env> {
  const { pages, incidents, checks, signedIn, html } = deps;
  const app = new Hono<Env>();
  const viewer = (c: Context<Env>) => viewerOf(c.get('session'));
  const notFound = (c: Context<Env>) => html(c, NotFoundPage({ viewer: viewer(c), back: { href: '/console/incidents', label: 'Incidents' } }), 404);

  /** The incident if it exists and is on a page the viewer may use. */
  const incidentOf = async (c: Context<Env>): Promise<{ incident: IncidentRow; page: PageRow } | undefined> => {
    const id = c.req.param('id') ?? '';
    const found = UUID.test(id) ? await incidents.find(id) : undefined;
    if (!found || found.incident.kind !== 'incident') return undefined;
    const visible = await visiblePages(pages, c.get('session'));
    return visible.some((p) => p.id === found.page.id) ? found : undefined;
  };

  app.get('/incidents', signedIn, async (c) => {
    const visible = await visiblePages(pages, c.get('session'));
    const byId = new Map(visible.map((p) => [p.id, p]));
    const { data } = await incidents.list('incident', visible.map((p) => p.id), undefined);
    const items = data.map((d) => d.incident);
    return html(
      c,
      IncidentsPage({
        viewer: viewer(c),
        drafts: items.filter((i) => i.published_at === null).map((i) => listItem(i, byId)),
        open: items.filter((i) => i.published_at !== null && isOpenIncident(i.status)).map((i) => listItem(i, byId)),
        past: items.filter((i) => i.published_at !== null && !isOpenIncident(i.status)).map((i) => listItem(i, byId)),
      }),
    );
  });

  const composer = async (c: Context<Env>, form: Partial<ComposerForm>, extra: { previewHtml?: string; notice?: Notice } = {}, status = 200) => {
    const visible = await visiblePages(pages, c.get('session'));
    const page = visible.find((p) => p.slug === form.page) ?? visible[0];
    const components = page ? componentChoices((await pages.components(page)).components) : [];
    const full: ComposerForm = { name: '', status: 'investigating', impact: '', body: '', deliver: true, components: {}, ...form, page: page?.slug ?? '' };
    return html(
      c,
      ComposerPage({ viewer: viewer(c), pages: visible.map(pageChoice), components, statuses: statusOptions(OPEN_STATUSES), impacts: IMPACT_OPTIONS, componentStatuses: COMPONENT_OPTIONS, form: full, ...extra }),
      status,
    );
  };

  app.get('/incidents/new', signedIn, (c) => composer(c, { page: c.req.query('page') ?? '' }));

  app.post('/incidents/new', signedIn, async (c) => {
    const f = await c.req.parseBody();
    const form: ComposerForm = {
      page: str(f.page),
      name: str(f.name),
      status: str(f.status),
      impact: str(f.impact),
      body: str(f.body),
      deliver: f.deliver === 'on',
      components: formComponents(f, COMPONENT_STATUSES),
    };
    const action = str(f.action);
    // Preview: the same renderer as the public page, nothing written.
    if (action === 'preview') return composer(c, form, { previewHtml: renderMarkdownLite(form.body) });
    const page = (await visiblePages(pages, c.get('session'))).find((p) => p.slug === form.page);
    if (!page) return composer(c, form, { notice: { ok: false, text: 'Choose one of your status pages.' } }, 400);
    try {
      const incident = await incidents.open({
        pageId: page.id,
        name: checkText(form.name, 'name')!,
        status: checkIncidentStatus(form.status),
        impact: form.impact === '' ? undefined : checkImpact(form.impact),
        body: checkText(form.body, 'body', { max: 20_000 })!,
        components: form.components as Record<string, ComponentStatus>,
        automatic: false,
        deliver: form.deliver,
        ...(action === 'draft' && { draft: { publishAt: null } }),
      });
      return c.redirect(`/console/incidents/${incident.id}`, 303);
    } catch (err) {
      if (err instanceof AppError) return composer(c, form, { notice: { ok: false, text: err.message } }, statusOf(err));
      throw err;
    }
  });

  const detail = async (c: Context<Env>, found: { incident: IncidentRow; page: PageRow }, notice?: Notice, status = 200) => {
    const { data, components } = await incidents.view(found.incident.id);
    const i = data.incident;
    const { sources } = await pages.components(found.page);
    const scope = { admin: c.get('session').kind === 'admin', tenantId: c.get('session').tenantId };
    const named = components.filter((x) => data.componentIds.includes(x.id));
    const view: IncidentDetail = {
      id: i.id,
      name: i.name,
      status: badge(i.status),
      statusValue: i.status,
      impact: words(i.impact),
      page: found.page.name,
      draft: i.published_at === null,
      automatic: i.automatic,
      open: isOpenIncident(i.status),
      resolved: i.status === 'resolved' || i.status === 'postmortem',
      publicPageHref: publicPath(found.page.slug),
      publicHref: i.published_at ? `${publicPath(found.page.slug).replace(/\/$/, '')}/incidents/${i.id}` : null,
      components: await Promise.all(
        named.map(async (x) => {
          // The checks a component follows, by name, when the viewer may see them.
          const ids = (sources.get(x.id) ?? []).filter((s) => s.startsWith('check:')).map((s) => s.slice('check:'.length));
          const rows = await Promise.all(ids.map((id) => checks.get(scope, id)));
          return { id: x.id, name: x.name, status: badge(x.status), checks: rows.flatMap((r) => (r ? [{ href: `/console/checks/${r.id}`, label: `check ${r.name || r.id}` }] : [])) };
        }),
      ),
      updates: updateItems(data),
      postmortemHtml: i.postmortem_body === null ? null : renderMarkdownLite(i.postmortem_body),
    };
    return html(c, IncidentPage({ viewer: viewer(c), incident: view, statuses: statusOptions(INCIDENT_STATUSES.filter((s) => s !== 'postmortem')), ...(notice && { notice }) }), status);
  };

  app.get('/incidents/:id', signedIn, async (c) => {
    const found = await incidentOf(c);
    return found ? detail(c, found) : notFound(c);
  });

  /** A POST on one incident: run `act`, then back to its page (303), or its page with the refusal. */
  const onIncident = (path: string, act: (found: { incident: IncidentRow; page: PageRow }, form: Record<string, unknown>) => Promise<string | void>) =>
    app.post(`/incidents/:id/${path}`, signedIn, async (c) => {
      const found = await incidentOf(c);
      if (!found) return notFound(c);
      try {
        const to = await act(found, await c.req.parseBody());
        return c.redirect(to ?? `/console/incidents/${found.incident.id}`, 303);
      } catch (err) {
        if (err instanceof AppError) return detail(c, (await incidentOf(c)) ?? found, { ok: false, text: err.message }, statusOf(err));
        throw err;
      }
    });

  onIncident('updates', async ({ incident }, f) => {
    await incidents.postUpdate(incident, { status: checkIncidentStatus(f.status), body: checkText(f.body, 'body', { max: 20_000 })!, components: null, deliver: f.deliver === 'on' });
  });
  onIncident('resolve', async ({ incident }) => {
    if (!isOpenIncident(incident.status)) throw new AppError('invalid_state', 'this incident is resolved already');
    await incidents.postUpdate(incident, { status: 'resolved', body: 'This incident has been resolved.', components: null, deliver: true });
  });
  onIncident('postmortem', async ({ incident }, f) => {
    if (incident.status !== 'resolved' && incident.status !== 'postmortem') throw new AppError('invalid_state', 'a postmortem follows a resolved incident');
    await incidents.publishPostmortem(incident, checkText(f.body, 'body', { max: 100_000 })!);
  });
  onIncident('publish', async ({ incident }) => incidents.publish(incident));
  onIncident('discard', async ({ incident }) => {
    if (incident.published_at !== null) throw new AppError('invalid_state', 'only a draft can be discarded; resolve a published incident');
    await incidents.remove(incident);
    return '/console/incidents';
  });
  return app;
}
