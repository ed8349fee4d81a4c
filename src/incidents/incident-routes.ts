import { Hono, type Context } from 'hono';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { incidentJson } from '../status/index.js';
import { bad, componentChanges, componentIds, impact, incidentStatus, instant, maintenanceStatus, text } from './input.js';
import { body, canUse, pageOf, UUID, visiblePageIds, type RouteContext } from './route-helpers.js';
import { INCIDENT_STATUSES, MAINTENANCE_STATUSES } from './status.js';
import type { ComponentRow } from './store/components.js';
import type { IncidentData, IncidentKind } from './store/incidents.js';

/** An incident as the authenticated API shows it: the public shape, and whether (and when) it is public. */
function apiIncidentJson(d: IncidentData, components: ComponentRow[]) {
  const x = d.incident;
  return { ...incidentJson(d, components), automatic: x.automatic, draft: x.published_at === null, published_at: x.published_at?.toISOString() ?? null, publish_at: x.publish_at?.toISOString() ?? null };
}

/** Incidents and scheduled maintenances: `/api/v1/incidents…` (updates, postmortem), `/api/v1/maintenances`. */
export function manualIncidentRoutes({ auth, idem, pages, incidents }: RouteContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
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

  app.post('/incidents', auth, idem, async (c) => {
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
  app.get('/incidents', auth, (c) => list(c, 'incident', INCIDENT_STATUSES));
  app.get('/incidents/:id', auth, async (c) => c.json(await view((await incidentOf(c)).id)));
  app.post('/incidents/:id/updates', auth, idem, async (c) => {
    const incident = await incidentOf(c);
    const b = await body(c);
    const status = incident.kind === 'maintenance' ? maintenanceStatus(b.status) : incidentStatus(b.status);
    const u = { status, body: text(b.body, 'body', { max: 20_000 })!, components: b.components === undefined ? null : componentChanges(b.components), deliver: b.deliver_notifications !== false };
    await incidents.postUpdate(incident, u);
    return c.json(await view(incident.id), 201);
  });
  app.patch('/incidents/:id/updates/:update_id', auth, async (c) => {
    const incident = await incidentOf(c);
    const b = await body(c);
    const set = {
      ...(b.body !== undefined && { body: text(b.body, 'body', { max: 20_000 })! }),
      ...(b.display_at !== undefined && { display_at: instant(b.display_at, 'display_at') }),
    };
    const updateId = c.req.param('update_id');
    if (!UUID.test(updateId) || !(await incidents.editUpdate(incident, updateId, set))) throw new AppError('not_found', `no update ${updateId}`);
    return c.json(await view(incident.id));
  });
  app.put('/incidents/:id/postmortem', auth, async (c) => {
    const incident = await incidentOf(c);
    const postmortem = text((await body(c)).body, 'body', { max: 100_000 })!;
    await incidents.publishPostmortem(incident, postmortem);
    return c.json({ ...(await view(incident.id)), postmortem_body: postmortem });
  });
  // Corrects a manual incident (or a draft) without posting an update.
  app.patch('/incidents/:id', auth, async (c) => {
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
  app.post('/incidents/:id/publish', auth, idem, async (c) => {
    const incident = await incidentOf(c);
    await incidents.publish(incident);
    return c.json(await view(incident.id));
  });
  // Also discards a draft (it never was public).
  app.delete('/incidents/:id', auth, async (c) => {
    await incidents.remove(await incidentOf(c));
    return c.body(null, 204);
  });

  app.post('/maintenances', auth, idem, async (c) => {
    const b = await body(c);
    const page = await pageOf(c, pages, b.page);
    const from = instant(b.scheduled_for, 'scheduled_for');
    const until = instant(b.scheduled_until, 'scheduled_until');
    if (until <= from) throw bad('scheduled_until must be after scheduled_for');
    const ids = componentIds(b.components);
    const incident = await incidents.open({
      pageId: page.id,
      kind: 'maintenance',
      name: text(b.name, 'name')!,
      status: 'scheduled',
      body: text(b.body, 'body', { max: 20_000 })!,
      // A scheduled maintenance does not touch its components until it starts.
      components: Object.fromEntries(ids.map((id) => [id, 'under_maintenance' as const])),
      automatic: false,
      scheduledFor: from,
      scheduledUntil: until,
    });
    return c.json(await view(incident.id), 201);
  });
  app.get('/maintenances', auth, (c) => list(c, 'maintenance', MAINTENANCE_STATUSES));
  return app;
}
