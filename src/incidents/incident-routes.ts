import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { apiRouter, errors, IdempotencyHeader, jsonResponse, listOf, operation, pathParams, requestJson, z } from '../http/openapi.js';
import { EditUpdate, Incident, OpenIncident, PatchIncident, PostUpdate, Postmortem, ScheduleMaintenance } from './api-schemas.js';
import { incidentJson } from '../status/index.js';
import { bad, componentChanges, componentIds, impact, incidentStatus, instant, maintenanceStatus, text } from './input.js';
import { body, canUse, pageOf, UUID, visiblePageIds, type RouteContext } from './route-helpers.js';
import { INCIDENT_STATUSES, MAINTENANCE_STATUSES } from './status.js';
import type { ComponentRow } from './store/components.js';
import type { IncidentData, IncidentKind } from './store/incidents.js';

/** An incident as the authenticated API shows it: the public shape, and whether (and when) it is public. */
function apiIncidentJson(d: IncidentData, components: ComponentRow[]): z.infer<typeof Incident> {
  const x = d.incident;
  return { ...incidentJson(d, components), automatic: x.automatic, draft: x.published_at === null, published_at: x.published_at?.toISOString() ?? null, publish_at: x.publish_at?.toISOString() ?? null };
}

/** Incidents and scheduled maintenances: `/api/v1/incidents…` (updates, postmortem), `/api/v1/maintenances`. */
export function manualIncidentRoutes({ auth, idem, pages, incidents }: RouteContext): OpenAPIHono<AppEnv> {
  const app = apiRouter<AppEnv>();
  const id = pathParams({ id: 'uuid' });
  const statusQuery = (statuses: readonly string[]) => z.object({ status: z.enum(statuses as [string, ...string[]]).optional() });
  const incidentOf = async (c: Context<AppEnv>) => {
    const id = c.req.param('id') ?? '';
    const found = UUID.test(id) ? await incidents.find(id) : undefined;
    if (!found || !canUse(c.get('principal'), found.page)) throw new AppError('not_found', `no incident ${id}`);
    return found.incident;
  };
  const view = async (id: string) => {
    const { data, components } = await incidents.view(id);
    return apiIncidentJson(data, components);
  };
  const list = async (c: Context<AppEnv>, kind: IncidentKind, statuses: readonly string[]) => {
    const status = c.req.query('status');
    if (status !== undefined && !statuses.includes(status)) throw new AppError('bad_request', `status must be one of ${statuses.join(', ')}`);
    const { data, components } = await incidents.list(kind, await visiblePageIds(c, pages), status);
    return c.json({ data: data.map((d) => apiIncidentJson(d, components)), next_cursor: null });
  };

  operation(app, {
    method: 'post',
    path: '/incidents',
    operationId: 'openIncident',
    summary: 'Open a manual incident (published at once)',
    middleware: [auth, idem],
    request: { headers: IdempotencyHeader, body: requestJson(OpenIncident) },
    responses: { 201: jsonResponse(Incident, 'The incident'), ...errors({ 404: 'No such page for this key' }) },
  }, async (c) => {
    const b = await body(c);
    const page = await pageOf(c, pages, b.page);
    const incident = await incidents.open({
      pageId: page.id,
      name: text(b.name, 'name')!,
      status: incidentStatus(b.status),
      impact: b.impact === undefined ? undefined : impact(b.impact),
      body: text(b.body, 'body', { max: 20_000 })!,
      components: componentChanges(b.components),
      automatic: false,
      deliver: b.deliver_notifications !== false,
    });
    return c.json(await view(incident.id), 201);
  });
  operation(
    app,
    {
      method: 'get',
      path: '/incidents',
      operationId: 'listIncidents',
      summary: 'Incidents of the pages the key may use, drafts included (draft, published_at, publish_at)',
      middleware: auth,
      request: { query: statusQuery(INCIDENT_STATUSES) },
      responses: { 200: jsonResponse(listOf(Incident), 'The incidents') },
    },
    (c) => list(c, 'incident', INCIDENT_STATUSES),
  );
  operation(
    app,
    {
      method: 'get',
      path: '/incidents/{id}',
      operationId: 'getIncident',
      summary: 'An incident, drafts included',
      middleware: auth,
      request: { params: id },
      responses: { 200: jsonResponse(Incident, 'The incident'), ...errors([404]) },
    },
    async (c) => c.json(await view((await incidentOf(c)).id)),
  );
  operation(app, {
    method: 'post',
    path: '/incidents/{id}/updates',
    operationId: 'postIncidentUpdate',
    summary: 'Post an update: a new status and text, optionally new component statuses; subscribers are told',
    middleware: [auth, idem],
    request: { params: id, headers: IdempotencyHeader, body: requestJson(PostUpdate) },
    responses: { 201: jsonResponse(Incident, 'The incident with its updates'), ...errors([404]) },
  }, async (c) => {
    const incident = await incidentOf(c);
    const b = await body(c);
    const status = incident.kind === 'maintenance' ? maintenanceStatus(b.status) : incidentStatus(b.status);
    const u = { status, body: text(b.body, 'body', { max: 20_000 })!, components: b.components === undefined ? null : componentChanges(b.components), deliver: b.deliver_notifications !== false };
    await incidents.postUpdate(incident, u);
    return c.json(await view(incident.id), 201);
  });
  operation(app, {
    method: 'patch',
    path: '/incidents/{id}/updates/{update_id}',
    operationId: 'editIncidentUpdate',
    summary: 'Correct an update’s text or displayed time (nobody is told)',
    middleware: auth,
    request: { params: pathParams({ id: 'uuid', update_id: 'uuid' }), body: requestJson(EditUpdate) },
    responses: { 200: jsonResponse(Incident, 'The incident'), ...errors([404]) },
  }, async (c) => {
    const incident = await incidentOf(c);
    const b = await body(c);
    const set = {
      ...(b.body !== undefined && { body: text(b.body, 'body', { max: 20_000 })! }),
      ...(b.display_at !== undefined && { display_at: instant(b.display_at, 'display_at') }),
    };
    const updateId = c.req.param('update_id')!;
    if (!UUID.test(updateId) || !(await incidents.editUpdate(incident, updateId, set))) throw new AppError('not_found', `no update ${updateId}`);
    return c.json(await view(incident.id));
  });
  operation(app, {
    method: 'put',
    path: '/incidents/{id}/postmortem',
    operationId: 'publishPostmortem',
    summary: 'Publish or replace the postmortem',
    middleware: auth,
    request: { params: id, body: requestJson(Postmortem) },
    responses: { 200: jsonResponse(Incident.extend({ postmortem_body: z.string() }), 'The incident with postmortem_body'), ...errors([404]) },
  }, async (c) => {
    const incident = await incidentOf(c);
    const postmortem = text((await body(c)).body, 'body', { max: 100_000 })!;
    await incidents.publishPostmortem(incident, postmortem);
    return c.json({ ...(await view(incident.id)), postmortem_body: postmortem });
  });
  // Corrects a manual incident (or a draft) without posting an update.
  operation(app, {
    method: 'patch',
    path: '/incidents/{id}',
    operationId: 'patchIncident',
    summary: 'Correct a manual incident or a draft (no update is posted)',
    middleware: auth,
    request: { params: id, body: requestJson(PatchIncident) },
    responses: { 200: jsonResponse(Incident, 'The incident'), ...errors({ 404: 'Not found', 409: 'A maintenance, or a published automatic incident' }) },
  }, async (c) => {
    const incident = await incidentOf(c);
    const b = await body(c);
    const unknown = Object.keys(b).filter((k) => !['name', 'impact', 'components'].includes(k));
    if (unknown.length > 0) throw bad(`only name, impact and components can be changed, not ${unknown.join(', ')}`);
    await incidents.patch(incident, {
      ...(b.name !== undefined && { name: text(b.name, 'name')! }),
      ...(b.impact !== undefined && { impact: impact(b.impact) }),
      ...(b.components !== undefined && { components: componentChanges(b.components) }),
    });
    return c.json(await view(incident.id));
  });
  // A draft goes public: page, feeds, JSON, and subscribers are told once.
  operation(app, {
    method: 'post',
    path: '/incidents/{id}/publish',
    operationId: 'publishIncident',
    summary: 'Publish a draft: the page, feeds and JSON show it, its components take its statuses, subscribers are told once',
    middleware: [auth, idem],
    request: { params: id, headers: IdempotencyHeader },
    responses: { 200: jsonResponse(Incident, 'The incident'), ...errors({ 404: 'Not found', 409: 'Published already' }) },
  }, async (c) => {
    const incident = await incidentOf(c);
    await incidents.publish(incident);
    return c.json(await view(incident.id));
  });
  // Also discards a draft (it never was public).
  operation(app, {
    method: 'delete',
    path: '/incidents/{id}',
    operationId: 'deleteIncident',
    summary: 'Delete an incident, or discard a draft',
    middleware: auth,
    request: { params: id },
    responses: { 204: { description: 'Deleted' }, ...errors([404]) },
  }, async (c) => {
    await incidents.remove(await incidentOf(c));
    return c.body(null, 204);
  });

  operation(app, {
    method: 'post',
    path: '/maintenances',
    operationId: 'scheduleMaintenance',
    summary: 'Schedule a maintenance: its components go under maintenance when it starts',
    middleware: [auth, idem],
    request: { headers: IdempotencyHeader, body: requestJson(ScheduleMaintenance) },
    responses: { 201: jsonResponse(Incident, 'The maintenance'), ...errors({ 404: 'No such page for this key' }) },
  }, async (c) => {
    const b = await body(c);
    const page = await pageOf(c, pages, b.page);
    const from = instant(b.scheduled_for, 'scheduled_for');
    const until = instant(b.scheduled_until, 'scheduled_until');
    if (until <= from) throw bad('scheduled_until must be after scheduled_for');
    const ids = componentIds(b.components);
    const incident = await incidents.scheduleMaintenance(page.id, {
      name: text(b.name, 'name')!,
      body: text(b.body, 'body', { max: 20_000 })!,
      scheduledFor: from,
      scheduledUntil: until,
      componentIds: ids,
    });
    return c.json(await view(incident.id), 201);
  });
  operation(
    app,
    {
      method: 'get',
      path: '/maintenances',
      operationId: 'listMaintenances',
      summary: 'Maintenances of the pages the key may use',
      middleware: auth,
      request: { query: statusQuery(MAINTENANCE_STATUSES) },
      responses: { 200: jsonResponse(listOf(Incident), 'The maintenances (incidents with scheduled_for and scheduled_until)') },
    },
    (c) => list(c, 'maintenance', MAINTENANCE_STATUSES),
  );
  return app;
}
