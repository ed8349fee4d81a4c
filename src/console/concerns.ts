import type { Link } from '../../console-ui/status-pages.js';
import type { Tile } from '../../console-ui/view.js';
import { type IncidentData, type IncidentService, type PageRow, type PageService } from '../incidents/index.js';

/**
 * What concerns a check or a component now: the open incidents (published
 * or draft) on the viewer's pages, for links from a check's page, a
 * component's row and the overview's tiles. Incidents only, not
 * maintenances: those have their own page.
 */
export async function openIncidents(incidents: IncidentService, visible: PageRow[]): Promise<IncidentData[]> {
  return visible.length === 0 ? [] : incidents.openOf(visible.map((p) => p.id));
}

export const incidentLink = (d: IncidentData): Link => ({ href: `/console/incidents/${d.incident.id}`, label: d.incident.published_at === null ? `${d.incident.name} (draft)` : d.incident.name });

/** The open incidents naming each component. */
export function incidentsByComponent(open: IncidentData[]): (componentId: string) => Link[] {
  return (id) => open.filter((d) => d.componentIds.includes(id)).map(incidentLink);
}

/** Open incidents on any component (of the viewer's pages) that lists `source`. */
export async function incidentsOfSource(pages: PageService, open: IncidentData[], visible: PageRow[], source: string): Promise<Link[]> {
  if (open.length === 0) return [];
  const shown = new Set(visible.map((p) => p.id));
  const following = new Set((await pages.componentsListing(source)).filter((c) => shown.has(c.page_id)).map((c) => c.id));
  return open.filter((d) => d.componentIds.some((id) => following.has(id))).map(incidentLink);
}

/** The overview's incident tiles: open (published) and drafts waiting for someone. */
export function incidentTiles(open: IncidentData[]): Tile[] {
  const published = open.filter((d) => d.incident.published_at !== null).length;
  const drafts = open.length - published;
  return [
    { label: 'open incidents', count: published, href: '/console/incidents', tone: published > 0 ? 'down' : 'none' },
    { label: 'draft incidents', count: drafts, href: '/console/incidents', tone: drafts > 0 ? 'late' : 'none' },
  ];
}
