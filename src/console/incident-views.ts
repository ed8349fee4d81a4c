import type { Badge, ComponentChoice, IncidentListItem, Option, PageChoice, UpdateItem } from '../../console-ui/incidents.js';
import type { CheckStateName } from '../../console-ui/view.js';
import { COMPONENT_STATUSES, IMPACTS, type ComponentRow, type IncidentData, type IncidentRow, type PageRow, type PageService } from '../incidents/index.js';
import { pageUrl, renderMarkdownLite } from '../status/index.js';
import { utc } from './check-views.js';
import type { ConsoleSession } from './sessions.js';

/** "degraded_performance" → "Degraded performance" */
export const words = (v: string) => (v.charAt(0).toUpperCase() + v.slice(1)).replaceAll('_', ' ');

const TONE: Record<string, CheckStateName> = {
  operational: 'up',
  under_maintenance: 'new',
  degraded_performance: 'late',
  partial_outage: 'down',
  major_outage: 'down',
  investigating: 'down',
  identified: 'late',
  monitoring: 'late',
  resolved: 'up',
  postmortem: 'up',
  scheduled: 'new',
  in_progress: 'late',
  verifying: 'late',
  completed: 'up',
};

export const badge = (status: string): Badge => ({ label: words(status), tone: TONE[status] ?? 'paused' });

/** The status pages this session may read and write: all for the admin key, its tenant's for a tenant key. */
export async function visiblePages(pages: PageService, s: ConsoleSession): Promise<PageRow[]> {
  return (await pages.pages()).filter((p) => s.kind === 'admin' || (s.tenantId !== null && p.tenant_id === s.tenantId));
}

export const pageChoice = (p: PageRow): PageChoice => ({ slug: p.slug, name: p.name });

/** The public page's path on this same host (the console and the page are one app). */
export const publicPath = (slug: string) => pageUrl('', slug) || '/';

/** A page's components an incident may name (groups only hold them), labelled "Group › Component". */
export function componentChoices(components: ComponentRow[]): ComponentChoice[] {
  const names = new Map(components.map((c) => [c.id, c.name]));
  return components
    .filter((c) => !c.is_group)
    .map((c) => ({ id: c.id, name: c.group_id && names.has(c.group_id) ? `${names.get(c.group_id)} › ${c.name}` : c.name, current: badge(c.status) }));
}

export const COMPONENT_OPTIONS: Option[] = [{ value: '', label: 'Not affected' }, ...COMPONENT_STATUSES.map((s) => ({ value: s, label: words(s) }))];
export const IMPACT_OPTIONS: Option[] = [{ value: '', label: 'From the worst component' }, ...IMPACTS.map((i) => ({ value: i, label: words(i) }))];
export const statusOptions = (statuses: readonly string[]): Option[] => statuses.map((s) => ({ value: s, label: words(s) }));

export function listItem(i: IncidentRow, pages: Map<string, PageRow>): IncidentListItem {
  return { id: i.id, name: i.name, status: badge(i.status), impact: words(i.impact), page: pages.get(i.page_id)?.name ?? '', started: utc(i.started_at), startedIso: i.started_at.toISOString(), automatic: i.automatic };
}

export function updateItems(d: IncidentData): UpdateItem[] {
  return d.updates.map((u) => ({ status: words(u.status), bodyHtml: renderMarkdownLite(u.body), at: utc(u.display_at), atIso: u.display_at.toISOString() }));
}

/** The components of a form: `component:<id>` fields whose value is one of `allowed` (the rest are ignored). */
export function formComponents(form: Record<string, unknown>, allowed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(form)) {
    if (!k.startsWith('component:') || typeof v !== 'string' || !allowed.includes(v)) continue;
    out[k.slice('component:'.length)] = v;
  }
  return out;
}
