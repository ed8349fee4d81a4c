import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { requireApiKey } from '../http/middleware/api-key.js';
import { idempotency } from '../http/middleware/idempotency.js';
import type { Logger } from '../logger.js';
import { bad, componentChanges, componentIds, impact, incidentStatus, instant, maintenanceStatus, oneOf, sources, text, timeZone } from './input.js';
import { withDetails } from './page-data.js';
import { addUpdate, createIncident, deleteIncident, withTransaction } from './service.js';
import { COMPONENT_STATUSES, INCIDENT_STATUSES, MAINTENANCE_STATUSES } from './status.js';
import { componentJson, incidentJson } from './statuspage-json.js';
import { componentsOfPage, DEFAULT_PAGE, findIncident, findPage, findPageBySlug, insertEvent, setComponentStatus, touchPages, type PageRow } from './store.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function body(c: Context): Promise<Record<string, unknown>> {
  try {
    const b = await c.req.json();
    if (typeof b === 'object' && b !== null && !Array.isArray(b)) return b as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw bad('body must be a JSON object');
}

/** Components, pages, incidents and maintenances (admin key, or a tenant key on its tenant's pages). */
export function incidentRoutes(deps: { db: Kysely<Database>; clock: Clock; logger: Logger; onChange: () => Promise<void> }): Hono<AppEnv> {
  const { db, clock } = deps;
  const app = new Hono<AppEnv>().basePath('/api/v1');
  const auth = requireApiKey(db);
  const idem = idempotency(deps);

  const canUse = (c: Context<AppEnv>, page: PageRow) => {
    const p = c.get('principal');
    return p.kind === 'admin' || (p.tenantId !== null && page.tenant_id === p.tenantId);
  };
  const pageOf = async (c: Context<AppEnv>, slug: unknown): Promise<PageRow> => {
    const s = slug === undefined ? DEFAULT_PAGE : typeof slug === 'string' ? slug : '';
    const page = await findPageBySlug(db, s);
    if (!page || !canUse(c, page)) throw new AppError('not_found', `no page ${s}`);
    return page;
  };
  const pageById = async (c: Context<AppEnv>, id: string): Promise<PageRow> => {
    const page = UUID.test(id) ? await findPage(db, id) : undefined;
    if (!page || !canUse(c, page)) throw new AppError('not_found', `no page ${id}`);
    return page;
  };
  const incidentOf = async (c: Context<AppEnv>) => {
    const id = c.req.param('id') ?? '';
    const incident = UUID.test(id) ? await findIncident(db, id) : undefined;
    if (!incident || !canUse(c, (await findPage(db, incident.page_id))!)) throw new AppError('not_found', `no incident ${id}`);
    return incident;
  };
  const incidentResponse = async (id: string) => {
    const incident = (await findIncident(db, id))!;
    const [data] = await withDetails(db, [incident]);
    return incidentJson(data!, await componentsOfPage(db, incident.page_id));
  };
  const done = async <T>(value: T) => {
    await deps.onChange();
    return value;
  };

  // Pages
  app.post('/pages', auth, idem, async (c) => {
    const b = await body(c);
    const p = c.get('principal');
    const slug = text(b.slug, 'slug', { max: 63 })!;
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(slug)) throw bad('slug must be a-z, 0-9 and -');
    const row = {
      id: randomUUID(),
      slug,
      name: text(b.name, 'name')!,
      time_zone: b.time_zone === undefined ? 'UTC' : timeZone(b.time_zone),
      tenant_id: p.kind === 'admin' ? (typeof b.tenant_id === 'string' && UUID.test(b.tenant_id) ? b.tenant_id : null) : p.tenantId,
      created_at: clock.now(),
      updated_at: clock.now(),
    };
    const created = await db.insertInto('pages').values(row).onConflict((oc) => oc.column('slug').doNothing()).returningAll().executeTakeFirst();
    if (!created) throw new AppError('conflict', `a page with slug ${slug} exists`);
    return c.json(await done(pageJson(created)), 201);
  });
  app.get('/pages', auth, async (c) => {
    const rows = (await db.selectFrom('pages').selectAll().orderBy('slug').execute()).filter((p) => canUse(c, p));
    return c.json({ data: rows.map(pageJson), next_cursor: null });
  });
  app.patch('/pages/:id', auth, async (c) => {
    const page = await pageById(c, c.req.param('id'));
    const b = await body(c);
    const set = { ...(b.name !== undefined && { name: text(b.name, 'name')! }), ...(b.time_zone !== undefined && { time_zone: timeZone(b.time_zone) }) };
    const row = await withTransaction(db, async (trx) => {
      if (Object.keys(set).length) await trx.updateTable('pages').set(set).where('id', '=', page.id).execute();
      await touchPages(trx, [page.id], clock.now());
      return (await findPage(trx, page.id))!;
    });
    return c.json(await done(pageJson(row)));
  });

  // Components
  app.post('/components', auth, idem, async (c) => {
    const b = await body(c);
    const page = await pageOf(c, b.page);
    const name = text(b.name, 'name')!;
    const isGroup = b.group === undefined ? false : b.group === true ? true : b.group === false ? false : (() => { throw bad('group must be true or false'); })();
    const status = b.status === undefined ? 'operational' : oneOf(b.status, 'status', COMPONENT_STATUSES);
    const srcs = sources(b.sources);
    const groupId = b.group_id === undefined || b.group_id === null ? null : String(b.group_id);
    const row = await withTransaction(db, async (trx) => {
      if (groupId) {
        const group = await trx.selectFrom('components').select(['id']).where('id', '=', UUID.test(groupId) ? groupId : randomUUID()).where('page_id', '=', page.id).where('is_group', '=', true).executeTakeFirst();
        if (!group) throw bad(`group_id ${groupId} is not a group of this page`);
        if (isGroup) throw bad('a group cannot be inside another group');
      }
      // Positions count within the parent (the page's top level, or the group).
      const max = await trx
        .selectFrom('components')
        .select(sql<number>`coalesce(max(position), 0)`.as('p'))
        .where('page_id', '=', page.id)
        .where((eb) => (groupId ? eb('group_id', '=', groupId) : eb('group_id', 'is', null)))
        .executeTakeFirstOrThrow();
      const now = clock.now();
      const created = await trx
        .insertInto('components')
        .values({
          id: randomUUID(),
          page_id: page.id,
          name,
          description: b.description === undefined || b.description === null ? null : text(b.description, 'description', { max: 2000 })!,
          is_group: isGroup,
          group_id: groupId,
          position: typeof b.position === 'number' && Number.isInteger(b.position) ? b.position : Number(max.p) + 1,
          only_show_if_degraded: b.only_show_if_degraded === true,
          showcase: b.showcase !== false,
          status,
          start_date: null,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (srcs.length) await trx.insertInto('component_sources').values(srcs.map((source) => ({ component_id: created.id, source }))).execute();
      await trx.insertInto('component_status_log').values({ component_id: created.id, status, at: now }).execute();
      await touchPages(trx, [page.id], now);
      return created;
    });
    return c.json(await done({ ...componentJson(row, [row]), sources: srcs }), 201);
  });
  app.get('/components', auth, async (c) => {
    const page = await pageOf(c, c.req.query('page'));
    const all = await componentsOfPage(db, page.id);
    const srcs = await db.selectFrom('component_sources').selectAll().where('component_id', 'in', all.length ? all.map((x) => x.id) : [randomUUID()]).execute();
    return c.json({ data: all.map((x) => ({ ...componentJson(x, all), sources: srcs.filter((s) => s.component_id === x.id).map((s) => s.source) })), next_cursor: null });
  });
  const componentOf = async (c: Context<AppEnv>) => {
    const id = c.req.param('id') ?? '';
    const row = UUID.test(id) ? await db.selectFrom('components').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
    if (!row || !canUse(c, (await findPage(db, row.page_id))!)) throw new AppError('not_found', `no component ${id}`);
    return row;
  };
  app.patch('/components/:id', auth, async (c) => {
    const current = await componentOf(c);
    const b = await body(c);
    const set = {
      ...(b.name !== undefined && { name: text(b.name, 'name')! }),
      ...(b.description !== undefined && { description: b.description === null ? null : text(b.description, 'description', { max: 2000 })! }),
      ...(b.position !== undefined && { position: Number.isInteger(b.position) ? (b.position as number) : (() => { throw bad('position must be a whole number'); })() }),
      ...(b.only_show_if_degraded !== undefined && { only_show_if_degraded: b.only_show_if_degraded === true }),
      ...(b.showcase !== undefined && { showcase: b.showcase === true }),
    };
    const status = b.status === undefined ? undefined : oneOf(b.status, 'status', COMPONENT_STATUSES);
    const srcs = b.sources === undefined ? undefined : sources(b.sources);
    await withTransaction(db, async (trx) => {
      const now = clock.now();
      if (Object.keys(set).length) await trx.updateTable('components').set({ ...set, updated_at: now }).where('id', '=', current.id).execute();
      if (status && status !== current.status) {
        await setComponentStatus(trx, current.id, status, now);
        await insertEvent(trx, { type: 'component.updated', pageId: current.page_id, componentId: current.id, componentIds: [current.id], change: { from: current.status, to: status }, deliver: true }, now);
      }
      if (srcs) {
        await trx.deleteFrom('component_sources').where('component_id', '=', current.id).execute();
        if (srcs.length) await trx.insertInto('component_sources').values(srcs.map((source) => ({ component_id: current.id, source }))).execute();
      }
      await touchPages(trx, [current.page_id], now);
    });
    const all = await componentsOfPage(db, current.page_id);
    return c.json(await done(componentJson(all.find((x) => x.id === current.id)!, all)));
  });
  app.delete('/components/:id', auth, async (c) => {
    const current = await componentOf(c);
    await withTransaction(db, async (trx) => {
      await trx.updateTable('components').set({ group_id: null }).where('group_id', '=', current.id).execute();
      await trx.deleteFrom('components').where('id', '=', current.id).execute();
      await touchPages(trx, [current.page_id], clock.now());
    });
    await done(undefined);
    return c.body(null, 204);
  });

  // Incidents
  app.post('/incidents', auth, idem, async (c) => {
    const b = await body(c);
    const page = await pageOf(c, b.page);
    const input = {
      pageId: page.id,
      name: text(b.name, 'name')!,
      status: incidentStatus(b.status),
      impact: b.impact === undefined ? undefined : impact(b.impact),
      body: text(b.body, 'body', { max: 20_000 })!,
      components: componentChanges(b.components),
      automatic: false,
      deliver: b.deliver_notifications !== false,
    };
    const { incident } = await withTransaction(db, (trx) => createIncident(trx, input, clock.now()));
    return c.json(await done(await incidentResponse(incident.id)), 201);
  });
  app.get('/incidents', auth, async (c) => {
    const status = c.req.query('status');
    if (status !== undefined && !(INCIDENT_STATUSES as readonly string[]).includes(status)) throw new AppError('bad_request', `status must be one of ${INCIDENT_STATUSES.join(', ')}`);
    const pages = (await db.selectFrom('pages').selectAll().execute()).filter((p) => canUse(c, p)).map((p) => p.id);
    let q = db.selectFrom('incidents').selectAll().where('kind', '=', 'incident').where('page_id', 'in', pages.length ? pages : [randomUUID()]);
    if (status) q = q.where('status', '=', status as never);
    const rows = await q.orderBy('created_at', 'desc').limit(100).execute();
    const details = await withDetails(db, rows);
    const comps = pages.length ? await db.selectFrom('components').selectAll().where('page_id', 'in', pages).execute() : [];
    return c.json({ data: details.map((d) => incidentJson(d, comps)), next_cursor: null });
  });
  app.get('/incidents/:id', auth, async (c) => c.json(await incidentResponse((await incidentOf(c)).id)));
  app.post('/incidents/:id/updates', auth, idem, async (c) => {
    const incident = await incidentOf(c);
    const b = await body(c);
    const status = incident.kind === 'maintenance' ? maintenanceStatus(b.status) : incidentStatus(b.status);
    const u = { status, body: text(b.body, 'body', { max: 20_000 })!, components: b.components === undefined ? null : componentChanges(b.components), deliver: b.deliver_notifications !== false };
    await withTransaction(db, (trx) => addUpdate(trx, incident.id, u, clock.now()));
    return c.json(await done(await incidentResponse(incident.id)), 201);
  });
  app.patch('/incidents/:id/updates/:update_id', auth, async (c) => {
    const incident = await incidentOf(c);
    const b = await body(c);
    const set = {
      ...(b.body !== undefined && { body: text(b.body, 'body', { max: 20_000 })! }),
      ...(b.display_at !== undefined && { display_at: instant(b.display_at, 'display_at') }),
    };
    const updated = await withTransaction(db, async (trx) => {
      const r = await trx.updateTable('incident_updates').set({ ...set, updated_at: clock.now() }).where('id', '=', UUID.test(c.req.param('update_id')) ? c.req.param('update_id') : randomUUID()).where('incident_id', '=', incident.id).executeTakeFirst();
      if (r.numUpdatedRows !== 1n) return false;
      await touchPages(trx, [incident.page_id], clock.now());
      return true;
    });
    if (!updated) throw new AppError('not_found', `no update ${c.req.param('update_id')}`);
    return c.json(await done(await incidentResponse(incident.id)));
  });
  app.put('/incidents/:id/postmortem', auth, async (c) => {
    const incident = await incidentOf(c);
    const b = await body(c);
    const text_ = text(b.body, 'body', { max: 100_000 })!;
    await withTransaction(db, async (trx) => {
      const now = clock.now();
      await trx.updateTable('incidents').set({ postmortem_body: text_, postmortem_published_at: now, updated_at: now }).where('id', '=', incident.id).execute();
      if (incident.status === 'resolved') await addUpdate(trx, incident.id, { status: 'postmortem', body: 'A postmortem has been published.' }, now);
      else await touchPages(trx, [incident.page_id], now);
    });
    return c.json(await done({ ...(await incidentResponse(incident.id)), postmortem_body: text_ }));
  });
  app.delete('/incidents/:id', auth, async (c) => {
    const incident = await incidentOf(c);
    await withTransaction(db, (trx) => deleteIncident(trx, incident.id, clock.now()));
    await done(undefined);
    return c.body(null, 204);
  });

  // Scheduled maintenance
  app.post('/maintenances', auth, idem, async (c) => {
    const b = await body(c);
    const page = await pageOf(c, b.page);
    const from = instant(b.scheduled_for, 'scheduled_for');
    const until = instant(b.scheduled_until, 'scheduled_until');
    if (until <= from) throw bad('scheduled_until must be after scheduled_for');
    const ids = componentIds(b.components);
    const input = {
      pageId: page.id,
      kind: 'maintenance' as const,
      name: text(b.name, 'name')!,
      status: 'scheduled' as const,
      body: text(b.body, 'body', { max: 20_000 })!,
      components: Object.fromEntries(ids.map((id) => [id, 'under_maintenance' as const])),
      automatic: false,
      scheduledFor: from,
      scheduledUntil: until,
    };
    const { incident } = await withTransaction(db, (trx) => createIncident(trx, input, clock.now()));
    return c.json(await done(await incidentResponse(incident.id)), 201);
  });
  app.get('/maintenances', auth, async (c) => {
    const status = c.req.query('status');
    if (status !== undefined && !(MAINTENANCE_STATUSES as readonly string[]).includes(status)) throw new AppError('bad_request', `status must be one of ${MAINTENANCE_STATUSES.join(', ')}`);
    const pages = (await db.selectFrom('pages').selectAll().execute()).filter((p) => canUse(c, p)).map((p) => p.id);
    let q = db.selectFrom('incidents').selectAll().where('kind', '=', 'maintenance').where('page_id', 'in', pages.length ? pages : [randomUUID()]);
    if (status) q = q.where('status', '=', status as never);
    const details = await withDetails(db, await q.orderBy('scheduled_for', 'desc').limit(100).execute());
    const comps = pages.length ? await db.selectFrom('components').selectAll().where('page_id', 'in', pages).execute() : [];
    return c.json({ data: details.map((d) => incidentJson(d, comps)), next_cursor: null });
  });

  return app;
}

function pageJson(p: PageRow) {
  return { id: p.id, slug: p.slug, name: p.name, time_zone: p.time_zone, tenant_id: p.tenant_id, updated_at: p.updated_at.toISOString() };
}
