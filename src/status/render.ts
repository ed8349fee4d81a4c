import { atomFeed, rssFeed } from '../../status-ui/feeds.js';
import { renderMarkdownLite } from '../../status-ui/markdown.js';
import { HistoryPage, IncidentPage, StatusPage } from '../../status-ui/pages.js';
import type { PublicDocument } from '../../status-ui/layout.js';
import type { Brand, ComponentView, IncidentView, PageView, TimeView, Tone } from '../../status-ui/view.js';
import { darkShade } from '../../ui/contrast.js';
import { DARK } from '../../ui/tokens.js';
import { isOpenIncident, type ComponentRow, type ComponentStatus, type PageRow } from '../incidents/index.js';
import type { IncidentData, PageData } from './page-data.js';
import { pageUrl, statusJson, statuspageDocuments } from './statuspage-json.js';

export const HTML_PATHS = ['', 'history', 'history.atom', 'history.rss'];
/** Incidents per history page (grouped by month within a page). */
const HISTORY_PAGE = 25;

const TONE: Record<ComponentStatus, Tone> = { operational: 'ok', degraded_performance: 'minor', partial_outage: 'major', major_outage: 'critical', under_maintenance: 'maintenance' };
const WORDS: Record<string, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  postmortem: 'Postmortem',
  scheduled: 'Scheduled',
  in_progress: 'In progress',
  verifying: 'Verifying',
  completed: 'Completed',
};
// An unresolved incident is never green: one of impact "none" still shows as minor.
const OPEN_TONE: Record<string, Tone> = { none: 'minor', minor: 'minor', major: 'major', critical: 'critical', maintenance: 'maintenance' };
const IMPACT_WORDS: Record<string, string> = { none: 'No impact', minor: 'Minor impact', major: 'Major impact', critical: 'Critical impact', maintenance: 'Maintenance' };

/** An incident's tone from its status and impact; a maintenance is blue until it completes. */
function incidentTone(kind: string, status: string, impact: string): Tone {
  if (kind === 'maintenance') return status === 'completed' ? 'ok' : 'maintenance';
  return isOpenIncident(status) ? (OPEN_TONE[impact] ?? 'minor') : 'ok';
}

/** The page's name, logo and accent; the dark scheme's accent is derived so it keeps AA contrast there. */
export function brandOf(page: PageRow): Brand {
  return {
    name: page.name,
    basePath: page.slug === 'default' ? '' : `/s/${page.slug}`,
    logoUrl: page.logo_url,
    accent: page.accent_color ? { light: page.accent_color, dark: darkShade(page.accent_color, [DARK.bg, DARK.card]) } : null,
  };
}

function timeIn(tz: string) {
  const f = new Intl.DateTimeFormat('sv-SE', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return (d: Date): TimeView => ({ iso: d.toISOString(), text: `${f.format(d)} ${tz}` });
}

function incidentView(i: IncidentData, components: ComponentRow[], basePath: string, at: (d: Date) => TimeView): IncidentView {
  const x = i.incident;
  return {
    id: x.id,
    name: x.name,
    href: `${basePath}/incidents/${x.id}`,
    impact: x.impact,
    impactLabel: IMPACT_WORDS[x.impact] ?? x.impact,
    tone: incidentTone(x.kind, x.status, x.impact),
    status: x.status,
    statusLabel: WORDS[x.status] ?? x.status,
    createdAt: at(x.created_at),
    resolvedAt: x.resolved_at ? at(x.resolved_at) : null,
    scheduledFor: x.scheduled_for ? at(x.scheduled_for) : null,
    scheduledUntil: x.scheduled_until ? at(x.scheduled_until) : null,
    components: components.filter((c) => i.componentIds.includes(c.id)).map((c) => c.name),
    updates: i.updates.map((u) => ({ status: u.status, statusLabel: WORDS[u.status] ?? u.status, bodyHtml: renderMarkdownLite(u.body), at: at(u.display_at) })),
    postmortemHtml: x.postmortem_body ? renderMarkdownLite(x.postmortem_body) : null,
  };
}

function componentViews(d: PageData): ComponentView[] {
  const view = (c: ComponentRow): ComponentView => {
    const days = c.showcase && !c.is_group ? (d.days.get(c.id) ?? []) : [];
    // Uptime counts only the days the component existed.
    const known = days.filter((x) => !x.noData);
    const total = known.length * 86_400_000;
    const down = known.reduce((s, x) => s + x.downMs, 0);
    return {
      id: c.id,
      name: c.name,
      description: c.description,
      statusLabel: WORDS[c.status]!,
      tone: TONE[c.status],
      uptime: known.length ? `${(((total - down) / total) * 100).toFixed(2)}%` : null,
      days: days.map((x) => ({
        // Most days are quiet; their short label keeps 90 bars per component within the page budget.
        label: x.noData
          ? `${x.day}: No data`
          : x.worst === 'operational' && x.downMs === 0
            ? `${x.day}: operational`
            : `${x.day}: ${x.downMs === 0 ? '100' : ((1 - x.downMs / 86_400_000) * 100).toFixed(2)}% uptime, ${WORDS[x.worst]!.toLowerCase()}`,
        tone: x.noData ? 'nodata' : TONE[x.worst],
      })),
      group: c.is_group,
      children: d.components.filter((child) => child.group_id === c.id && (!child.only_show_if_degraded || child.status !== 'operational')).map(view),
    };
  };
  return d.components.filter((c) => c.group_id === null && (!c.only_show_if_degraded || c.status !== 'operational')).map(view);
}

/** A public document; an HTML page carries the Content-Security-Policy that lets exactly its own blocks and logo load. */
export interface RenderedDocument {
  body: string;
  contentType: string;
  csp?: string;
}

const html = (doc: PublicDocument): RenderedDocument => ({ body: doc.body, csp: doc.csp, contentType: 'text/html; charset=utf-8' });

/** Every public document of a page, rendered once per change. */
export function renderPage(d: PageData, opts: { publicUrl: string; now: Date }): Record<string, RenderedDocument> {
  const brand = brandOf(d.page);
  const basePath = brand.basePath;
  const at = timeIn(d.page.time_zone);
  const status = statusJson(d);
  const tone: Tone = status.indicator === 'none' ? 'ok' : (status.indicator as Tone);
  const incidents = d.incidents.map((i) => incidentView(i, d.components, basePath, at));
  const maintenances = d.maintenances.map((i) => incidentView(i, d.components, basePath, at));
  const view: PageView = {
    brand,
    timeZone: d.page.time_zone,
    banner: { tone, text: status.description },
    activeIncidents: incidents.filter((i) => isOpenIncident(i.status)),
    maintenances: { active: maintenances.filter((m) => m.status === 'in_progress' || m.status === 'verifying'), upcoming: maintenances.filter((m) => m.status === 'scheduled') },
    components: componentViews(d),
    updatedAt: at(d.page.updated_at),
  };
  const archive = d.archive.map((i) => incidentView(i, d.components, basePath, at));
  const monthOf = new Intl.DateTimeFormat('en', { timeZone: d.page.time_zone, month: 'long', year: 'numeric' });
  const historyPages: { label: string; incidents: IncidentView[] }[][] = [];
  for (let p = 0; p * HISTORY_PAGE < Math.max(1, archive.length); p++) {
    const months = new Map<string, IncidentView[]>();
    for (const i of archive.slice(p * HISTORY_PAGE, (p + 1) * HISTORY_PAGE)) {
      const label = monthOf.format(new Date(i.createdAt.iso));
      months.set(label, [...(months.get(label) ?? []), i]);
    }
    historyPages.push([...months].map(([label, list]) => ({ label, incidents: list })));
  }
  const out: Record<string, RenderedDocument> = {};
  for (const [path, doc] of Object.entries(statuspageDocuments(d, opts.publicUrl))) out[`api/v2/${path}`] = { body: JSON.stringify(doc), contentType: 'application/json; charset=utf-8' };
  out[''] = html(StatusPage({ view }));
  historyPages.forEach((months, n) => {
    const page = { number: n + 1, count: historyPages.length };
    out[n === 0 ? 'history' : `history/${n + 1}`] = html(HistoryPage({ view: { brand, months, updatedAt: view.updatedAt, page } }));
  });
  for (const i of archive) out[`incidents/${i.id}`] = html(IncidentPage({ incident: i, brand }));
  const url = pageUrl(opts.publicUrl, d.page.slug);
  const all = [...incidents, ...maintenances].sort((a, b) => b.createdAt.iso.localeCompare(a.createdAt.iso));
  out['history.atom'] = { body: atomFeed({ title: `${d.page.name} status`, url, updated: d.page.updated_at.toISOString(), incidents: all.map((i) => ({ ...i, href: i.href.slice(basePath.length) })) }), contentType: 'application/atom+xml; charset=utf-8' };
  out['history.rss'] = { body: rssFeed({ title: `${d.page.name} status`, url, incidents: all.map((i) => ({ ...i, href: i.href.slice(basePath.length) })) }), contentType: 'application/rss+xml; charset=utf-8' };
  return out;
}
