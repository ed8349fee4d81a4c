import type { Option } from '../../console-ui/incidents.js';
import type { ComponentForm, SourceOption } from '../../console-ui/component-form.js';
import type { ComponentNode, Link } from '../../console-ui/status-pages.js';
import { AppError } from '../errors.js';
import {
  checkAutoIncident,
  checkIncidentTemplate,
  checkPublishAfter,
  checkSourceList,
  checkText,
  sourceRefusal,
  type Actor,
  type ComponentRow,
  type PageRow,
} from '../incidents/index.js';
import type { SourceChoice } from './ports.js';
import { badge } from './incident-views.js';
import { UUID } from './viewer.js';

/** More boxes than anyone ticks; a forged form with thousands of `source:` fields is refused before any lookup. */
const MAX_SOURCES = 100;

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const bad = (message: string) => new AppError('validation_failed', message);

export function publishingWords(c: ComponentRow): string {
  if (c.auto_incident === 'delay') return `automatic incidents go public after ${c.publish_after ?? '?'} s if still failing`;
  if (c.auto_incident === 'draft') return 'automatic incidents wait as drafts';
  return 'automatic incidents go public at once';
}

/** The sources the viewer may pick for a component of `page`: exactly those a save accepts (source-rules.ts). */
export function pickable(choices: SourceChoice[], page: PageRow, actor: Actor): SourceOption[] {
  return choices
    .filter((c) => sourceRefusal(c.source, c.owner, { actor, pageTenantId: page.tenant_id }) === null)
    .map((c) => ({ source: c.source, kind: c.kind, label: c.label }))
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.label.localeCompare(b.label));
}

/** The page's groups for the "In group" select. */
export const groupOptions = (components: ComponentRow[]): Option[] => components.filter((c) => c.is_group).map((c) => ({ value: c.id, label: c.name }));

/**
 * The page's components as a tree in display order: top-level components and
 * groups by position, each group's members under it. Sources are named from
 * `choices`; a source the viewer cannot name shows as itself.
 */
export function componentTree(components: ComponentRow[], sources: Map<string, string[]>, choices: SourceChoice[], incidentsOf: (componentId: string) => Link[]): ComponentNode[] {
  const named = new Map(choices.map((c) => [c.source, c]));
  const node = (c: ComponentRow): ComponentNode => ({
    id: c.id,
    name: c.name,
    description: c.description,
    isGroup: c.is_group,
    position: c.position,
    status: badge(c.status),
    publishing: publishingWords(c),
    sources: (sources.get(c.id) ?? []).map((s) => {
      const choice = named.get(s);
      return choice ? { href: choice.href, label: `${choice.kind} ${choice.label}` } : { href: '#', label: s };
    }),
    incidents: incidentsOf(c.id),
    members: [],
  });
  const top = components.filter((c) => c.group_id === null || !components.some((g) => g.id === c.group_id)).map(node);
  for (const g of top.filter((n) => n.isGroup)) g.members = components.filter((c) => c.group_id === g.id).map(node);
  return top;
}

export const emptyForm = (): ComponentForm => ({ name: '', description: '', isGroup: false, group: '', position: '', autoIncident: 'publish', publishAfter: '', incidentTemplate: '', sources: [] });

export function formOf(c: ComponentRow, sources: string[]): ComponentForm {
  return {
    name: c.name,
    description: c.description ?? '',
    isGroup: c.is_group,
    group: c.group_id ?? '',
    position: String(c.position),
    autoIncident: c.auto_incident,
    publishAfter: c.publish_after === null ? '' : String(c.publish_after),
    incidentTemplate: c.incident_template ?? '',
    sources,
  };
}

/** The form as posted, kept as typed (to re-render a refused one). */
export function readForm(f: Record<string, unknown>): ComponentForm {
  const picked = Object.keys(f).filter((k) => k.startsWith('source:') && f[k] === 'on').map((k) => k.slice('source:'.length));
  return {
    name: str(f.name),
    description: str(f.description),
    isGroup: f.group === 'on',
    group: str(f.group_id),
    position: str(f.position).trim(),
    autoIncident: str(f.auto_incident) || 'publish',
    publishAfter: str(f.publish_after).trim(),
    incidentTemplate: str(f.incident_template),
    sources: picked.slice(0, MAX_SOURCES + 1),
  };
}

/** A form's checked values, each a 400 naming the field (the same checks as the API's). */
export function checkedForm(form: ComponentForm) {
  if (form.sources.length > MAX_SOURCES) throw bad(`pick at most ${MAX_SOURCES} sources`);
  const whole = (v: string, field: string, max: number) => {
    if (v === '') return null;
    if (!/^\d{1,6}$/.test(v) || Number(v) > max) throw bad(`${field} must be a whole number from 0 to ${max}`);
    return Number(v);
  };
  const description = form.description.trim() === '' ? null : checkText(form.description, 'description', { max: 2000 })!;
  const autoIncident = checkAutoIncident(form.autoIncident);
  const publishAfterN = whole(form.publishAfter, 'publish_after', 86_400);
  const group = form.group === '' ? null : form.group;
  if (group !== null && !UUID.test(group)) throw bad('choose a group of this page');
  return {
    name: checkText(form.name, 'name')!,
    description,
    groupId: group,
    position: whole(form.position, 'position', 100_000) ?? undefined,
    autoIncident,
    // A delay without seconds is refused by the service with the API's message; seconds without a delay are kept for later.
    publishAfter: publishAfterN === null ? null : checkPublishAfter(publishAfterN),
    incidentTemplate: form.incidentTemplate.trim() === '' ? null : checkIncidentTemplate(form.incidentTemplate.trim()),
    sources: checkSourceList(form.sources),
  };
}
