import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { NotFoundPage } from '../../console-ui/layout.js';
import type { ComponentForm } from '../../console-ui/component-form.js';
import { ComponentEditPage, StatusPageDetail, StatusPagesPage, type PageHeader } from '../../console-ui/status-pages.js';
import { AppError } from '../errors.js';
import { checkAccentColor, checkLogoUrl, type Actor, type ComponentRow, type IncidentService, type PageRow, type PageService } from '../incidents/index.js';
import { incidentsByComponent, openIncidents } from './concerns.js';
import { publicPath, visiblePages } from './incident-views.js';
import { filterText } from './cursor.js';
import type { SourceChoice, SourceChoices, SubscriberCounts } from './ports.js';
import type { ConsoleSession } from './sessions.js';
import { checkedForm, componentTree, emptyForm, formOf, groupOptions, pickable, readForm } from './status-page-views.js';
import { UUID, viewerOf } from './viewer.js';

type Env = { Variables: { session: ConsoleSession } };
type Render = (c: Context<Env>, body: unknown, status?: number) => Response;
type Notice = { ok: boolean; text: string };

/** Checks the source picker lists at once; a name search (`?q=`) finds the others. */
const PICKER_LIMIT = 200;
const statusOf = (err: AppError) => (err.code === 'not_found' ? 404 : err.code === 'conflict' || err.code === 'invalid_state' ? 409 : 400);

export interface StatusPageDeps {
  pages: PageService;
  incidents: IncidentService;
  sources: SourceChoices;
  subscribers: SubscriberCounts;
  signedIn: MiddlewareHandler<Env>;
  html: Render;
}

/**
 * `/console/pages…` and `/console/components…` (mounted under /console): the
 * viewer's status pages and their components through incidents' PageService
 * (the service `/api/v1/components` calls, with the same source rules).
 * Sources are picked by name from the checks and expectations the viewer may
 * list; another tenant's page or component is a 404.
 */
export function statusPageRoutes(deps: StatusPageDeps): Hono<Env> {
  const { pages, incidents, signedIn, html } = deps;
  const app = new Hono<Env>();
  const session = (c: Context<Env>) => c.get('session');
  const actor = (c: Context<Env>): Actor => ({ admin: session(c).kind === 'admin', tenantId: session(c).tenantId });
  const notFound = (c: Context<Env>) => html(c, NotFoundPage({ viewer: viewerOf(session(c)), back: { href: '/console/pages', label: 'Status pages' } }), 404);

  const header = async (p: PageRow): Promise<PageHeader> => ({ id: p.id, name: p.name, slug: p.slug, publicHref: publicPath(p.slug), subscribers: (await deps.subscribers([p.id])).get(p.id) ?? 0, logoUrl: p.logo_url, accentColor: p.accent_color });

  app.get('/pages', signedIn, async (c) => {
    const visible = await visiblePages(pages, session(c));
    const subscribers = await deps.subscribers(visible.map((p) => p.id));
    const items = await Promise.all(
      visible.map(async (p) => {
        const { components } = await pages.components(p);
        const groups = components.filter((x) => x.is_group).length;
        return { id: p.id, name: p.name, slug: p.slug, publicHref: publicPath(p.slug), components: components.length - groups, groups, subscribers: subscribers.get(p.id) ?? 0 };
      }),
    );
    return html(c, StatusPagesPage({ viewer: viewerOf(session(c)), pages: items }));
  });

  /**
   * What the picker shows for a page: the first checks by name (containing
   * the `q` of a GET), every expectation, and the sources already ticked
   * wherever they rank (a box not shown is a source dropped on save).
   */
  const picker = async (c: Context<Env>, page: PageRow, ticked: SourceChoice[]) => {
    const q = c.req.method === 'GET' ? filterText(c.req.query('q')) : undefined;
    const found = await deps.sources.find(actor(c), { q, pageTenantId: page.tenant_id, limit: PICKER_LIMIT });
    const shown = new Set(found.choices.map((x) => x.source));
    return { options: pickable([...found.choices, ...ticked.filter((x) => !shown.has(x.source))], page, actor(c)), search: { q: q ?? '', more: found.more } };
  };

  const pageOf = async (c: Context<Env>, id: string) => (UUID.test(id) ? (await visiblePages(pages, session(c))).find((p) => p.id === id) : undefined);

  const detail = async (c: Context<Env>, page: PageRow, form: ComponentForm, notice?: Notice, status = 200) => {
    const [{ components, sources }, open] = await Promise.all([pages.components(page), openIncidents(incidents, [page])]);
    // Named by id: the sources the components list and those the form ticked, however many checks there are.
    const named = await deps.sources.named(actor(c), [...new Set([...[...sources.values()].flat(), ...form.sources])]);
    const pick = await picker(c, page, named.filter((x) => form.sources.includes(x.source)));
    return html(
      c,
      StatusPageDetail({
        viewer: viewerOf(session(c)),
        page: await header(page),
        tree: componentTree(components, sources, named, incidentsByComponent(open)),
        groups: groupOptions(components),
        sources: pick.options,
        search: pick.search,
        form,
        ...(notice && { notice }),
      }),
      status,
    );
  };

  app.get('/pages/:id', signedIn, async (c) => {
    const page = await pageOf(c, c.req.param('id'));
    return page ? detail(c, page, emptyForm()) : notFound(c);
  });

  app.post('/pages/:id/components', signedIn, async (c) => {
    const page = await pageOf(c, c.req.param('id'));
    if (!page) return notFound(c);
    const form = readForm(await c.req.parseBody());
    try {
      const f = checkedForm(form);
      await pages.createComponent(
        page,
        { ...f, isGroup: form.isGroup, groupId: f.groupId, onlyShowIfDegraded: false, showcase: true, status: 'operational' },
        actor(c),
      );
      return c.redirect(`/console/pages/${page.id}`, 303);
    } catch (err) {
      if (err instanceof AppError) return detail(c, page, form, { ok: false, text: err.message }, statusOf(err));
      throw err;
    }
  });

  app.post('/pages/:id/branding', signedIn, async (c) => {
    const page = await pageOf(c, c.req.param('id'));
    if (!page) return notFound(c);
    const form = await c.req.parseBody();
    const field = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null); // empty clears, as null does in the API
    try {
      const set = { logo_url: checkLogoUrl(field(form.logo_url)), accent_color: checkAccentColor(field(form.accent_color)) };
      await pages.updatePage(page, set);
      return c.redirect(`/console/pages/${page.id}`, 303);
    } catch (err) {
      if (err instanceof AppError) return detail(c, page, emptyForm(), { ok: false, text: err.message }, statusOf(err));
      throw err;
    }
  });

  /** The component if it is on a page the viewer may use. */
  const componentOf = async (c: Context<Env>): Promise<{ component: ComponentRow; page: PageRow } | undefined> => {
    const id = c.req.param('id') ?? '';
    const found = UUID.test(id) ? await pages.component(id) : undefined;
    if (!found || !(await pageOf(c, found.page.id))) return undefined;
    return found;
  };

  const editor = async (c: Context<Env>, found: { component: ComponentRow; page: PageRow }, form?: ComponentForm, notice?: Notice, status = 200) => {
    const { components, sources } = await pages.components(found.page);
    const x = found.component;
    const shown = form ?? formOf(x, sources.get(x.id) ?? []);
    const pick = await picker(c, found.page, await deps.sources.named(actor(c), shown.sources));
    return html(
      c,
      ComponentEditPage({
        viewer: viewerOf(session(c)),
        page: await header(found.page),
        component: { id: x.id, name: x.name, isGroup: x.is_group },
        groups: groupOptions(components.filter((g) => g.id !== x.id)),
        sources: pick.options,
        search: pick.search,
        form: shown,
        ...(notice && { notice }),
      }),
      status,
    );
  };

  app.get('/components/:id', signedIn, async (c) => {
    const found = await componentOf(c);
    return found ? editor(c, found) : notFound(c);
  });

  app.post('/components/:id', signedIn, async (c) => {
    const found = await componentOf(c);
    if (!found) return notFound(c);
    const form = readForm(await c.req.parseBody());
    const x = found.component;
    try {
      const f = checkedForm(form);
      const fields = {
        name: f.name,
        description: f.description,
        ...(f.position !== undefined && { position: f.position }),
        // A group has no publishing of its own; its fields are not on its form.
        ...(!x.is_group && { auto_incident: f.autoIncident, publish_after: f.publishAfter, incident_template: f.incidentTemplate }),
      };
      await pages.updateComponent(x, { fields, status: undefined, sources: x.is_group ? undefined : f.sources, groupId: x.is_group ? undefined : f.groupId }, actor(c));
      return c.redirect(`/console/pages/${found.page.id}#component-${x.id}`, 303);
    } catch (err) {
      if (err instanceof AppError) return editor(c, found, { ...form, isGroup: x.is_group }, { ok: false, text: err.message }, statusOf(err));
      throw err;
    }
  });

  app.post('/components/:id/delete', signedIn, async (c) => {
    const found = await componentOf(c);
    if (!found) return notFound(c);
    await pages.deleteComponent(found.component);
    return c.redirect(`/console/pages/${found.page.id}`, 303);
  });
  return app;
}
