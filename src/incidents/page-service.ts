import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { bad } from './input.js';
import { withTransaction } from './service.js';
import {
  addComponentSources,
  componentsOfPage,
  componentsOfSource,
  deleteComponent,
  findComponent,
  insertComponent,
  isGroupOfPage,
  logComponentStatus,
  nextPosition,
  replaceComponentSources,
  setComponentStatus,
  sourcesOfComponents,
  updateComponent,
  type ComponentFields,
  type ComponentRow,
} from './store/components.js';
import { insertEvent } from './store/events.js';
import { findPage, findPageBySlug, listPages, touchPages, tryInsertPage, updatePage, type PageRow } from './store/pages.js';
import { checkSources, type Actor, type SourceOwnerLookup } from './source-rules.js';
import type { AutoIncident, ComponentStatus } from './table.js';

const DELAY_NEEDS_SECONDS = 'publish_after (seconds) is required with auto_incident "delay"';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface NewPage {
  slug: string;
  name: string;
  timeZone: string;
  tenantId: string | null;
  logoUrl: string | null;
  accentColor: string | null;
}

/** What a page's PATCH may change; absent fields stay, `null` clears a logo or accent. */
export interface PageChange {
  name?: string;
  time_zone?: string;
  logo_url?: string | null;
  accent_color?: string | null;
}

export interface NewComponent {
  name: string;
  description: string | null;
  isGroup: boolean;
  groupId: string | null;
  /** Absent: after the last component of its parent. */
  position: number | undefined;
  onlyShowIfDegraded: boolean;
  showcase: boolean;
  status: ComponentStatus;
  sources: string[];
  autoIncident: AutoIncident;
  /** Seconds; required with `delay`. */
  publishAfter: number | null;
  incidentTemplate: string | null;
}

export interface ComponentChange {
  fields: ComponentFields;
  status: ComponentStatus | undefined;
  /** Absent: unchanged; a list replaces them. */
  sources: string[] | undefined;
  /** Absent: unchanged; null: to the top level; else into this group of the page (after its last member unless a position is given). */
  groupId?: string | null | undefined;
}

/**
 * Pages and their components. Every write commits with a bump of the page's
 * version (the public page re-renders) and then calls `onChange` (this
 * instance's page cache re-reads versions at once). A manual component status
 * change logs the status and records a `component.updated` event for
 * subscribers in the same transaction. Who may use a page is the caller's
 * concern: these operate on whatever page they are given.
 */
export interface PageService {
  pageBySlug(slug: string): Promise<PageRow | undefined>;
  page(id: string): Promise<PageRow | undefined>;
  /** Every page, by slug. */
  pages(): Promise<PageRow[]>;
  /** 409 when the slug is taken. */
  createPage(p: NewPage): Promise<PageRow>;
  updatePage(page: PageRow, set: PageChange): Promise<PageRow>;
  /** A component with the page it is on. */
  component(id: string): Promise<{ component: ComponentRow; page: PageRow } | undefined>;
  /** A page's components in display order, with the sources each lists. */
  components(page: PageRow): Promise<{ components: ComponentRow[]; sources: Map<string, string[]> }>;
  /** The components (of any page) that list `source`, with their page id. */
  componentsListing(source: string): Promise<{ id: string; page_id: string }[]>;
  /**
   * 400 when `groupId` is not a group of the page, a group is put in a group,
   * or a source may not be listed by `actor` (source-rules.ts); nothing is written then.
   */
  createComponent(page: PageRow, c: NewComponent, actor: Actor): Promise<ComponentRow>;
  /** Returns the page's components after the change, with their sources; sources are checked as on create. */
  updateComponent(current: ComponentRow, change: ComponentChange, actor: Actor): Promise<{ components: ComponentRow[]; sources: Map<string, string[]> }>;
  /** A group's members move to the top level. */
  deleteComponent(current: ComponentRow): Promise<void>;
}

export function createPageService(deps: { db: Kysely<Database>; clock: Clock; onChange: () => Promise<void>; sourceOwner: SourceOwnerLookup }): PageService {
  const { db, clock } = deps;
  const sourcesAllowed = (page: PageRow, isGroup: boolean, sources: string[], actor: Actor) => checkSources(sources, { actor, pageTenantId: page.tenant_id, isGroup }, deps.sourceOwner);
  const changed = async <T>(value: T): Promise<T> => {
    await deps.onChange();
    return value;
  };
  return {
    pageBySlug: (slug) => findPageBySlug(db, slug),
    page: (id) => findPage(db, id),
    pages: () => listPages(db),
    async createPage(p) {
      const now = clock.now();
      const created = await tryInsertPage(db, { id: randomUUID(), slug: p.slug, name: p.name, time_zone: p.timeZone, tenant_id: p.tenantId, logo_url: p.logoUrl, accent_color: p.accentColor, created_at: now, updated_at: now });
      if (!created) throw new AppError('conflict', `a page with slug ${p.slug} exists`);
      return changed(created);
    },
    async updatePage(page, set) {
      const row = await withTransaction(db, async (trx) => {
        await updatePage(trx, page.id, set);
        await touchPages(trx, [page.id], clock.now());
        return (await findPage(trx, page.id))!;
      });
      return changed(row);
    },
    async component(id) {
      const component = await findComponent(db, id);
      return component && { component, page: (await findPage(db, component.page_id))! };
    },
    async components(page) {
      const components = await componentsOfPage(db, page.id);
      return { components, sources: await sourcesOfComponents(db, components.map((c) => c.id)) };
    },
    componentsListing: async (source) => (await componentsOfSource(db, source)).map((c) => ({ id: c.id, page_id: c.page_id })),
    async createComponent(page, c, actor) {
      if (c.autoIncident === 'delay' && c.publishAfter === null) throw bad(DELAY_NEEDS_SECONDS);
      await sourcesAllowed(page, c.isGroup, c.sources, actor);
      const row = await withTransaction(db, async (trx) => {
        if (c.groupId) {
          if (!UUID.test(c.groupId) || !(await isGroupOfPage(trx, page.id, c.groupId))) throw bad(`group_id ${c.groupId} is not a group of this page`);
          if (c.isGroup) throw bad('a group cannot be inside another group');
        }
        // Positions count within the parent (the page's top level, or the group).
        const position = c.position ?? (await nextPosition(trx, page.id, c.groupId));
        const now = clock.now();
        const created = await insertComponent(trx, {
          id: randomUUID(),
          page_id: page.id,
          name: c.name,
          description: c.description,
          is_group: c.isGroup,
          group_id: c.groupId,
          position,
          only_show_if_degraded: c.onlyShowIfDegraded,
          showcase: c.showcase,
          status: c.status,
          start_date: null,
          auto_incident: c.autoIncident,
          publish_after: c.publishAfter,
          incident_template: c.incidentTemplate,
          created_at: now,
          updated_at: now,
        });
        await addComponentSources(trx, created.id, c.sources);
        await logComponentStatus(trx, created.id, c.status, now);
        await touchPages(trx, [page.id], now);
        return created;
      });
      return changed(row);
    },
    async updateComponent(current, change, actor) {
      if (change.sources) await sourcesAllowed((await findPage(db, current.page_id))!, current.is_group, change.sources, actor);
      const delay = (change.fields.auto_incident ?? current.auto_incident) === 'delay';
      if (delay && (change.fields.publish_after === undefined ? current.publish_after : change.fields.publish_after) === null) throw bad(DELAY_NEEDS_SECONDS);
      await withTransaction(db, async (trx) => {
        const now = clock.now();
        const fields = { ...change.fields };
        if (change.groupId !== undefined && change.groupId !== current.group_id) {
          if (change.groupId !== null) {
            if (current.is_group) throw bad('a group cannot be inside another group');
            if (!UUID.test(change.groupId) || !(await isGroupOfPage(trx, current.page_id, change.groupId))) throw bad(`group_id ${change.groupId} is not a group of this page`);
          }
          fields.group_id = change.groupId;
          // Positions count within the parent: a move without one goes last in the new parent.
          fields.position ??= await nextPosition(trx, current.page_id, change.groupId);
        }
        await updateComponent(trx, current.id, fields, now);
        if (change.status && change.status !== current.status) {
          await setComponentStatus(trx, current.id, change.status, now);
          const event = { type: 'component.updated', pageId: current.page_id, componentId: current.id, componentIds: [current.id], deliver: true };
          await insertEvent(trx, { ...event, change: { from: current.status, to: change.status } }, now);
        }
        if (change.sources) await replaceComponentSources(trx, current.id, change.sources);
        await touchPages(trx, [current.page_id], now);
      });
      const components = await componentsOfPage(db, current.page_id);
      return changed({ components, sources: await sourcesOfComponents(db, components.map((x) => x.id)) });
    },
    async deleteComponent(current) {
      await withTransaction(db, async (trx) => {
        await deleteComponent(trx, current.id);
        await touchPages(trx, [current.page_id], clock.now());
      });
      await deps.onChange();
    },
  };
}
