import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { rescheduleMaintenance, type MaintenanceEdit } from './maintenance.js';
import { patchIncident, publishIncident, type IncidentPatch } from './publishing.js';
import { addUpdate, createIncident, deleteIncident, withTransaction, type NewIncident } from './service.js';
import { componentsOfPage, componentsOfPages, type ComponentRow } from './store/components.js';
import { editUpdate, findIncident, listOfPages, openOfPages, updateIncident, withDetails, type IncidentData, type IncidentKind, type IncidentRow } from './store/incidents.js';
import { findPage, touchPages, type PageRow } from './store/pages.js';
import type { ComponentStatus } from './table.js';

/** An incident or maintenance as the API shows it: its details and the components of its page. */
export interface IncidentView {
  data: IncidentData;
  components: ComponentRow[];
}

export interface UpdateInput {
  status: IncidentRow['status'];
  body: string;
  components: Record<string, ComponentStatus> | null;
  deliver: boolean;
}

/**
 * What the manual API does with incidents and maintenances, each write in one
 * transaction over the lifecycle in service.ts (statuses, timestamps,
 * components, events, page versions), then `onChange` (this instance's page
 * cache re-reads versions at once). Who may see an incident is the caller's
 * concern: `find` returns its page for that.
 */
export interface IncidentService {
  find(id: string): Promise<{ incident: IncidentRow; page: PageRow } | undefined>;
  view(id: string): Promise<IncidentView>;
  /** The newest 100 of one kind on these pages (maintenances by window), optionally of one status. */
  list(kind: IncidentKind, pageIds: string[], status: string | undefined): Promise<{ data: IncidentData[]; components: ComponentRow[] }>;
  /** Every open incident (published or draft) of these pages, however many newer ones were resolved (at most 500). */
  openOf(pageIds: string[]): Promise<IncidentData[]>;
  /** 400 when a component is not a (non-group) component of the page. */
  open(input: NewIncident): Promise<IncidentRow>;
  /** 400 when the status does not fit the kind, or a component is unknown. */
  postUpdate(incident: IncidentRow, u: UpdateInput): Promise<void>;
  /** False when the incident has no such update. */
  editUpdate(incident: IncidentRow, updateId: string, set: { body?: string; display_at?: Date }): Promise<boolean>;
  /** A resolved incident moves to `postmortem` with an update saying so. */
  publishPostmortem(incident: IncidentRow, body: string): Promise<void>;
  /** Its components go back to what the remaining incidents say. A draft is discarded without a public trace. */
  remove(incident: IncidentRow): Promise<void>;
  /** Makes a draft public (409 when it is published already). */
  publish(incident: IncidentRow): Promise<void>;
  /** Corrects a manual incident or a draft: name, impact, components (400 on unknown components, 409 on an automatic published one). */
  patch(incident: IncidentRow, patch: IncidentPatch): Promise<void>;
  /** A maintenance over a window; its components go under maintenance only when it starts (400 on unknown components). */
  scheduleMaintenance(pageId: string, m: MaintenanceEdit & { body: string }): Promise<IncidentRow>;
  /** Name, window and components of a maintenance that has not started (409 once it has; 400 on unknown components). */
  reschedule(incident: IncidentRow, edit: MaintenanceEdit): Promise<void>;
}

export function createIncidentService(deps: { db: Kysely<Database>; clock: Clock; onChange: () => Promise<void> }): IncidentService {
  const { db, clock } = deps;
  const open = async (input: NewIncident) => {
    const { incident } = await withTransaction(db, (trx) => createIncident(trx, input, clock.now()));
    await deps.onChange();
    return incident;
  };
  return {
    async find(id) {
      const incident = await findIncident(db, id);
      return incident && { incident, page: (await findPage(db, incident.page_id))! };
    },
    async view(id) {
      const incident = await findIncident(db, id);
      if (!incident) throw new AppError('not_found', `no incident ${id}`);
      const [data] = await withDetails(db, [incident]);
      return { data: data!, components: await componentsOfPage(db, incident.page_id) };
    },
    async list(kind, pageIds, status) {
      const data = await withDetails(db, await listOfPages(db, kind, pageIds, status, 100));
      return { data, components: await componentsOfPages(db, pageIds) };
    },
    openOf: async (pageIds) => withDetails(db, await openOfPages(db, pageIds, 500)),
    open,
    scheduleMaintenance: (pageId, m) =>
      open({
        pageId,
        kind: 'maintenance',
        name: m.name,
        status: 'scheduled',
        body: m.body,
        components: Object.fromEntries(m.componentIds.map((id) => [id, 'under_maintenance' as const])),
        automatic: false,
        scheduledFor: m.scheduledFor,
        scheduledUntil: m.scheduledUntil,
      }),
    async postUpdate(incident, u) {
      await withTransaction(db, (trx) => addUpdate(trx, incident.id, u, clock.now()));
      await deps.onChange();
    },
    async editUpdate(incident, updateId, set) {
      const edited = await withTransaction(db, async (trx) => {
        if (!(await editUpdate(trx, incident.id, updateId, set, clock.now()))) return false;
        await touchPages(trx, [incident.page_id], clock.now());
        return true;
      });
      if (edited) await deps.onChange();
      return edited;
    },
    async publishPostmortem(incident, body) {
      await withTransaction(db, async (trx) => {
        const now = clock.now();
        await updateIncident(trx, incident.id, { postmortem_body: body, postmortem_published_at: now, updated_at: now });
        if (incident.status === 'resolved') await addUpdate(trx, incident.id, { status: 'postmortem', body: 'A postmortem has been published.' }, now);
        else await touchPages(trx, [incident.page_id], now);
      });
      await deps.onChange();
    },
    async remove(incident) {
      await withTransaction(db, (trx) => deleteIncident(trx, incident.id, clock.now()));
      await deps.onChange();
    },
    async publish(incident) {
      const published = await withTransaction(db, (trx) => publishIncident(trx, incident.id, clock.now()));
      if (!published) throw new AppError('invalid_state', `incident ${incident.id} is published already`);
      await deps.onChange();
    },
    async patch(incident, patch) {
      await withTransaction(db, (trx) => patchIncident(trx, incident.id, patch, clock.now()));
      await deps.onChange();
    },
    async reschedule(incident, edit) {
      if (edit.scheduledUntil <= edit.scheduledFor) throw new AppError('validation_failed', 'the window must end after it starts');
      await withTransaction(db, (trx) => rescheduleMaintenance(trx, incident.id, edit, clock.now()));
      await deps.onChange();
    },
  };
}
