import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { apiRouter, errors, IdempotencyHeader, jsonResponse, listOf, operation, pathParams, requestJson, z } from '../http/openapi.js';
import { Component, CreateComponent, CreatePage, Page, UpdateComponent, UpdatePage } from './api-schemas.js';
import { componentJson } from '../status/index.js';
import { accentColor, logoUrl } from './page-branding.js';
import { autoIncident, bad, incidentTemplate, oneOf, publishAfter, sources, text, timeZone } from './input.js';
import { actorOf, body, canUse, pageJson, pageOf, UUID, type RouteContext } from './route-helpers.js';
import { COMPONENT_STATUSES } from './status.js';
import type { ComponentRow } from './store/components.js';

/** A component as the manual API shows it: the public shape, the sources it lists and how its incidents go public. */
function componentApiJson(c: ComponentRow, all: ComponentRow[], sources: string[]): z.infer<typeof Component> {
  return { ...componentJson(c, all), sources, auto_incident: c.auto_incident, publish_after: c.publish_after, incident_template: c.incident_template };
}

/** Pages and their components: `/api/v1/pages…`, `/api/v1/components…`. */
export function pageRoutes({ auth, idem, pages }: RouteContext): OpenAPIHono<AppEnv> {
  const app = apiRouter<AppEnv>();
  const id = pathParams({ id: 'uuid' });

  operation(app, {
    method: 'post',
    path: '/pages',
    operationId: 'createPage',
    summary: "Create a status page (a tenant key: its tenant's)",
    middleware: [auth, idem],
    request: { headers: IdempotencyHeader, body: requestJson(CreatePage) },
    responses: { 201: jsonResponse(Page, 'The page'), ...errors({ 409: 'Slug taken' }) },
  }, async (c) => {
    const b = await body(c);
    const p = c.get('principal');
    const slug = text(b.slug, 'slug', { max: 63 })!;
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(slug)) throw bad('slug must be a-z, 0-9 and -');
    const name = text(b.name, 'name')!;
    const tz = b.time_zone === undefined ? 'UTC' : timeZone(b.time_zone);
    // Only the admin key may place a page in a tenant; a tenant key's pages are its tenant's.
    const tenantId = p.kind === 'admin' ? (typeof b.tenant_id === 'string' && UUID.test(b.tenant_id) ? b.tenant_id : null) : p.tenantId;
    const logo = b.logo_url === undefined ? null : logoUrl(b.logo_url);
    const accent = b.accent_color === undefined ? null : accentColor(b.accent_color);
    return c.json(pageJson(await pages.createPage({ slug, name, timeZone: tz, tenantId, logoUrl: logo, accentColor: accent })), 201);
  });
  operation(app, {
    method: 'get',
    path: '/pages',
    operationId: 'listPages',
    summary: 'The status pages the key may use',
    middleware: auth,
    responses: { 200: jsonResponse(listOf(Page), 'Every page the key may use') },
  }, async (c) => {
    const rows = (await pages.pages()).filter((p) => canUse(c.get('principal'), p));
    return c.json({ data: rows.map(pageJson), next_cursor: null });
  });
  operation(app, {
    method: 'patch',
    path: '/pages/{id}',
    operationId: 'updatePage',
    summary: "Rename a page, or change its time zone, logo or accent colour",
    middleware: auth,
    request: { params: id, body: requestJson(UpdatePage) },
    responses: { 200: jsonResponse(Page, 'The page'), ...errors({ 400: 'A bad field (a logo that is not https, an accent colour without AA contrast); nothing is written', 404: 'Not found' }) },
  }, async (c) => {
    const id = c.req.param('id')!;
    const page = UUID.test(id) ? await pages.page(id) : undefined;
    if (!page || !canUse(c.get('principal'), page)) throw new AppError('not_found', `no page ${id}`);
    const b = await body(c);
    const set = {
      ...(b.name !== undefined && { name: text(b.name, 'name')! }),
      ...(b.time_zone !== undefined && { time_zone: timeZone(b.time_zone) }),
      ...(b.logo_url !== undefined && { logo_url: logoUrl(b.logo_url) }),
      ...(b.accent_color !== undefined && { accent_color: accentColor(b.accent_color) }),
    };
    return c.json(pageJson(await pages.updatePage(page, set)));
  });

  operation(app, {
    method: 'post',
    path: '/components',
    operationId: 'createComponent',
    summary: 'Create a component (or group) on a page',
    middleware: [auth, idem],
    request: { headers: IdempotencyHeader, body: requestJson(CreateComponent) },
    responses: {
      201: jsonResponse(Component, 'The component with sources, auto_incident, publish_after, incident_template'),
      ...errors({ 400: 'A bad field, or a source the key may not list (unknown, another tenant’s, the platform’s without the admin key, any on a group); nothing is written', 404: 'No such page for this key' }),
    },
  }, async (c) => {
    const b = await body(c);
    const page = await pageOf(c, pages, b.page);
    const name = text(b.name, 'name')!;
    const isGroup = b.group === undefined ? false : b.group === true ? true : b.group === false ? false : (() => { throw bad('group must be true or false'); })();
    const status = b.status === undefined ? 'operational' : oneOf(b.status, 'status', COMPONENT_STATUSES);
    const srcs = sources(b.sources);
    const row = await pages.createComponent(page, {
      autoIncident: b.auto_incident === undefined ? 'publish' : autoIncident(b.auto_incident),
      publishAfter: b.publish_after === undefined ? null : publishAfter(b.publish_after),
      incidentTemplate: b.incident_template === undefined ? null : incidentTemplate(b.incident_template),
      name,
      isGroup,
      status,
      sources: srcs,
      groupId: b.group_id === undefined || b.group_id === null ? null : String(b.group_id),
      description: b.description === undefined || b.description === null ? null : text(b.description, 'description', { max: 2000 })!,
      position: typeof b.position === 'number' && Number.isInteger(b.position) ? b.position : undefined,
      onlyShowIfDegraded: b.only_show_if_degraded === true,
      showcase: b.showcase !== false,
    }, actorOf(c));
    return c.json(componentApiJson(row, [row], srcs), 201);
  });
  operation(app, {
    method: 'get',
    path: '/components',
    operationId: 'listComponents',
    summary: "A page's components with their sources and publishing choice",
    middleware: auth,
    request: { query: z.object({ page: z.string().optional().openapi({ description: 'Page slug (default: the default page)' }) }) },
    responses: { 200: jsonResponse(listOf(Component), 'The components'), ...errors({ 404: 'No such page for this key' }) },
  }, async (c) => {
    const page = await pageOf(c, pages, c.req.query('page'));
    const { components, sources: srcs } = await pages.components(page);
    return c.json({ data: components.map((x) => componentApiJson(x, components, srcs.get(x.id) ?? [])), next_cursor: null });
  });
  const componentOf = async (c: Context<AppEnv>) => {
    const id = c.req.param('id') ?? '';
    const found = UUID.test(id) ? await pages.component(id) : undefined;
    if (!found || !canUse(c.get('principal'), found.page)) throw new AppError('not_found', `no component ${id}`);
    return found.component;
  };
  operation(app, {
    method: 'patch',
    path: '/components/{id}',
    operationId: 'updateComponent',
    summary: 'Change a component; sources are checked as on create',
    middleware: auth,
    request: { params: id, body: requestJson(UpdateComponent) },
    responses: { 200: jsonResponse(Component, 'The component'), ...errors({ 400: 'A bad field or source; nothing is written', 404: 'Not found' }) },
  }, async (c) => {
    const current = await componentOf(c);
    const b = await body(c);
    const fields = {
      ...(b.name !== undefined && { name: text(b.name, 'name')! }),
      ...(b.description !== undefined && { description: b.description === null ? null : text(b.description, 'description', { max: 2000 })! }),
      ...(b.position !== undefined && { position: Number.isInteger(b.position) ? (b.position as number) : (() => { throw bad('position must be a whole number'); })() }),
      ...(b.only_show_if_degraded !== undefined && { only_show_if_degraded: b.only_show_if_degraded === true }),
      ...(b.showcase !== undefined && { showcase: b.showcase === true }),
      ...(b.auto_incident !== undefined && { auto_incident: autoIncident(b.auto_incident) }),
      ...(b.publish_after !== undefined && { publish_after: publishAfter(b.publish_after) }),
      ...(b.incident_template !== undefined && { incident_template: incidentTemplate(b.incident_template) }),
    };
    const status = b.status === undefined ? undefined : oneOf(b.status, 'status', COMPONENT_STATUSES);
    const { components: all, sources: srcs } = await pages.updateComponent(current, { fields, status, sources: b.sources === undefined ? undefined : sources(b.sources) }, actorOf(c));
    return c.json(componentApiJson(all.find((x) => x.id === current.id)!, all, srcs.get(current.id) ?? []));
  });
  operation(app, {
    method: 'delete',
    path: '/components/{id}',
    operationId: 'deleteComponent',
    summary: 'Delete a component (a group’s members move to the top level)',
    middleware: auth,
    request: { params: id },
    responses: { 204: { description: 'Deleted' }, ...errors([404]) },
  }, async (c) => {
    await pages.deleteComponent(await componentOf(c));
    return c.body(null, 204);
  });
  return app;
}
