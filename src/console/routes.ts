import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { ChecksPage, CheckPage, OverviewPage } from '../../console-ui/checks.js';
import { LoginPage, NotFoundPage } from '../../console-ui/layout.js';
import type { Tile } from '../../console-ui/view.js';
import type { AlertChannels } from '../alerts/index.js';
import type { Principal } from '../auth/store.js';
import type { Clock } from '../clock.js';
import { CHECK_STATE_RANK, checkSource, type CheckManagement, type CheckState } from '../heartbeats/index.js';
import { requestClientAddress, type TrustProxy } from '../http/client-address.js';
import type { Logger } from '../logger.js';
import { channelPages } from './channel-routes.js';
import { checkEditPages } from './check-edit-pages.js';
import { scopeOf, UUID, viewerOf } from './viewer.js';
import { jobPages } from './job-routes.js';
import { incidentPages } from './incident-pages.js';
import { maintenancePages } from './maintenance-pages.js';
import { expectationPages } from './expectation-pages.js';
import { billingPages } from './billing-pages.js';
import { deliveryPages } from './delivery-pages.js';
import type { ExpectationReads, ExpectationService } from '../expectations/index.js';
import type { BillingOverview } from '../billing/index.js';
import type { Subscriptions } from '../notify/index.js';
import type { IncidentService, PageService } from '../incidents/index.js';
import type { JobOperations } from '../scheduler/index.js';
import { checkDetail, listItem } from './check-views.js';
import { filterText } from './cursor.js';
import { incidentsOfSource, incidentTiles, openIncidents } from './concerns.js';
import { visiblePages } from './incident-views.js';
import type { ChannelUsers, SourceChoices, SubscriberCounts } from './ports.js';
import { statusPageRoutes } from './status-page-routes.js';
import { ABSOLUTE_MS, type ConsoleSession, type ConsoleSessions } from './sessions.js';

const COOKIE = 'overdue_console';
const PAGE_SIZE = 50;
/** Pings per page of a check's log: a screenful or two, never the whole retention. */
const PING_PAGE = 100;
/** Tags the list's tag filter suggests (any other can still be typed). */
const TAG_CHOICES = 100;
/** Runs in a check's duration chart. */
const CHART_RUNS = 50;
const STATES = Object.keys(CHECK_STATE_RANK) as CheckState[];

/** What the overview lists beside the checks (alert channels, deliveries…): composed at the root from other features. */
export type AttentionItems = (p: Principal) => Promise<{ label: string; count: number; href: string | null }[]>;

type Env = { Variables: { session: ConsoleSession } };

export interface ConsoleDeps {
  sessions: ConsoleSessions;
  checks: CheckManagement;
  channels: AlertChannels;
  /** The scheduler is built after the features whose jobs it runs: read when a page is served. */
  jobs: () => JobOperations;
  attention: AttentionItems;
  /** Incidents' services, the same the manual API calls. */
  pages: PageService;
  incidents: IncidentService;
  /** Expectations' service (evaluate now, as the API) and its reads; billing's reads; notify's outbox service. */
  expectations: { service: ExpectationService; reads: ExpectationReads };
  billing: BillingOverview;
  deliveries: Pick<Subscriptions, 'deliveryPage' | 'deliveryCounts' | 'retry'>;
  /** The checks and expectations a component may list, by name (built at the root from heartbeats and expectations). */
  sources: SourceChoices;
  /** Which checks alert each channel, counted in the database (built at the root from heartbeats and alerting). */
  channelUsers: ChannelUsers;
  /** Subscribers per status page (notify's, through the root). */
  subscribers: SubscriberCounts;
  clock: Clock;
  logger: Logger;
  publicUrl: string;
  trustProxy: TrustProxy;
}


/**
 * The operator console at /console: server-rendered pages over the same
 * services as the API. A session cookie (HttpOnly, SameSite=Lax, Secure on
 * https) signs in with any API key; every POST carries the session's CSRF
 * token; a read-only key gets no buttons and a 403 on POST.
 */
export function consoleRoutes(deps: ConsoleDeps): Hono<Env> {
  const { sessions, checks, clock } = deps;
  const app = new Hono<Env>().basePath('/console');
  const secure = deps.publicUrl.startsWith('https:');

  const html = (c: Context, body: unknown, status = 200): Response => {
    c.header('Cache-Control', 'no-store');
    c.header('X-Frame-Options', 'DENY');
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'");
    return c.html(`<!doctype html>${String(body)}`, status as 200);
  };

  app.get('/login', (c) => html(c, LoginPage({})));
  app.post('/login', async (c) => {
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const key = typeof form.key === 'string' ? form.key.trim() : '';
    const address = requestClientAddress(c, deps.trustProxy) ?? 'unknown';
    const outcome = await sessions.signIn(key, address);
    if (outcome === 'limited') {
      deps.logger.warn({ address }, 'console sign-in refused: too many failed attempts');
      return html(c, LoginPage({ error: 'Too many failed attempts from your address. Wait 15 minutes and try again.' }), 429);
    }
    if (!outcome) {
      // The key itself is never logged.
      deps.logger.warn({ address }, 'console sign-in failed');
      return html(c, LoginPage({ error: 'That key is not valid.' }), 401);
    }
    setCookie(c, COOKIE, outcome.cookie, { path: '/console', httpOnly: true, sameSite: 'Lax', secure, maxAge: Math.floor(ABSOLUTE_MS / 1000) });
    return c.redirect('/console', 303);
  });

  const signedIn: MiddlewareHandler<Env> = async (c, next) => {
    const session = await sessions.load(getCookie(c, COOKIE));
    if (!session) {
      if (c.req.method === 'GET') return c.redirect('/console/login', 303);
      return html(c, LoginPage({ error: 'Your session has ended. Sign in again.' }), 401);
    }
    if (c.req.method === 'POST') {
      const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      if (!sessions.csrfMatches(session, form.csrf)) return c.text('Forbidden: the form is missing its CSRF token or it does not match your session. Reload the page and try again.', 403);
      const isLogout = c.req.path === '/console/logout';
      if (session.readOnly && !isLogout) return c.text('Forbidden: this key is read-only.', 403);
    }
    c.set('session', session);
    await next();
  };

  app.post('/logout', signedIn, async (c) => {
    await sessions.signOut(c.get('session'));
    deleteCookie(c, COOKIE, { path: '/console' });
    return c.redirect('/console/login', 303);
  });

  app.get('/', signedIn, async (c) => {
    const s = c.get('session');
    const scope = scopeOf(s);
    const [counts, failing, extra, open] = await Promise.all([
      checks.counts(scope),
      checks.page(scope, { limit: 20, state: undefined }),
      deps.attention(s),
      visiblePages(deps.pages, s).then((visible) => openIncidents(deps.incidents, visible)),
    ]);
    const tiles: Tile[] = [...STATES.map((state) => ({ label: `${state} checks`, count: counts[state], href: `/console/checks?state=${state}`, tone: state })), ...incidentTiles(open)];
    const total = STATES.reduce((n, st) => n + counts[st], 0);
    return html(c, OverviewPage({ viewer: viewerOf(s), tiles, total, extra, failing: failing.filter((r) => r.rank <= CHECK_STATE_RANK.late).map(listItem) }));
  });

  app.get('/checks', signedIn, async (c) => {
    const s = c.get('session');
    const state = c.req.query('state');
    const tag = filterText(c.req.query('tag'));
    const q = filterText(c.req.query('q'));
    const cursor = c.req.query('after');
    let after: { rank: number; name: string; id: string } | undefined;
    if (cursor) {
      try {
        const [rank, id, name] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [number, string, string];
        if (Number.isInteger(rank) && UUID.test(id) && typeof name === 'string' && name.length <= 200 && !name.includes('\u0000')) after = { rank, id, name };
      } catch {
        // a mangled cursor starts from the first page
      }
    }
    const filter = { state: STATES.includes(state as CheckState) ? (state as CheckState) : undefined, tag, q };
    const [rows, tags] = await Promise.all([checks.page(scopeOf(s), { ...filter, after, limit: PAGE_SIZE }), checks.tags(scopeOf(s), TAG_CHOICES)]);
    const last = rows[rows.length - 1];
    let next: string | null = null;
    if (rows.length === PAGE_SIZE && last) {
      const params = new URLSearchParams({ ...(filter.state && { state: filter.state }), ...(tag && { tag }), ...(q && { q }), after: Buffer.from(JSON.stringify([last.rank, last.id, last.name])).toString('base64url') });
      next = `/console/checks?${params}`;
    }
    return html(c, ChecksPage({ viewer: viewerOf(s), checks: rows.map(listItem), tags, filter: { ...(state && { state }), ...(tag && { tag }), ...(q && { q }) }, next }));
  });

  const notFound = (c: Context<Env>) => html(c, NotFoundPage({ viewer: viewerOf(c.get('session')) }), 404);

  app.get('/checks/:id', signedIn, async (c) => {
    const s = c.get('session');
    const id = c.req.param('id');
    const row = UUID.test(id) ? await checks.get(scopeOf(s), id) : undefined;
    if (!row) return notFound(c);
    const source = checkSource(row.id);
    // The log's cursor is a ping number; anything else (it is client input) shows the newest page.
    const before = c.req.query('before');
    const cursor = before !== undefined && /^\d{1,18}$/.test(before) ? BigInt(before) : undefined;
    const [log, flips, runs, alerted, catalog, visible] = await Promise.all([
      checks.pingPage(scopeOf(s), id, { before: cursor, limit: PING_PAGE }),
      checks.flips(row, {}),
      checks.durations(row, undefined, CHART_RUNS),
      deps.channels.effective({ tenantId: row.tenant_id }, [source]),
      deps.channels.catalog({ tenantId: row.tenant_id }),
      visiblePages(deps.pages, s),
    ]);
    const view = checkDetail(row, log?.pings ?? [], flips, runs, clock.now(), deps.publicUrl);
    const pages = { older: log && log.older !== null ? `/console/checks/${row.id}?before=${log.older}` : null, newest: cursor !== undefined ? `/console/checks/${row.id}` : null };
    // Which channels hear it (its routing, else its owner's defaults) and the open incidents of components that follow it.
    const names = new Map(catalog.map((ch) => [ch.id, ch.name]));
    const channelLinks = (alerted.get(source) ?? []).map((cid) => ({ href: `/console/channels#channel-${cid}`, label: names.get(cid) ?? cid }));
    const incidentLinks = await incidentsOfSource(deps.pages, await openIncidents(deps.incidents, visible), visible, source);
    return html(c, CheckPage({ viewer: viewerOf(s), ...view, pages, related: { channels: channelLinks, incidents: incidentLinks } }));
  });

  app.get('/checks/:id/pings/:n/body', signedIn, async (c) => {
    const s = c.get('session');
    const id = c.req.param('id');
    const n = c.req.param('n');
    const body = UUID.test(id) && /^\d{1,18}$/.test(n) ? await checks.pingBody(scopeOf(s), id, Number(n)) : undefined;
    if (!body) return notFound(c);
    // As text, never as HTML: a ping body is whatever a job sent.
    c.header('Content-Type', 'text/plain; charset=utf-8');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'no-store');
    return c.body(body as Uint8Array<ArrayBuffer>);
  });

  app.route('/', checkEditPages({ checks, channels: deps.channels, signedIn, html }));
  app.route('/', channelPages({ channels: deps.channels, users: deps.channelUsers, signedIn, html }));
  app.route('/', jobPages({ jobs: deps.jobs, signedIn, html }));
  app.route('/', incidentPages({ pages: deps.pages, incidents: deps.incidents, checks, signedIn, html }));
  app.route('/', maintenancePages({ pages: deps.pages, incidents: deps.incidents, signedIn, html }));
  app.route('/', expectationPages({ ...deps.expectations, tenantLabels: (ids) => deps.billing.names(ids), signedIn, html }));
  app.route('/', billingPages({ billing: deps.billing, expectations: deps.expectations.reads, signedIn, html }));
  app.route('/', deliveryPages({ deliveries: deps.deliveries, signedIn, html }));
  app.route('/', statusPageRoutes({ pages: deps.pages, incidents: deps.incidents, sources: deps.sources, subscribers: deps.subscribers, signedIn, html }));

  for (const action of ['pause', 'resume'] as const) {
    app.post(`/checks/:id/${action}`, signedIn, async (c) => {
      const s = c.get('session');
      const id = c.req.param('id');
      const row = UUID.test(id) ? await checks.setPaused(scopeOf(s), id, action === 'pause') : undefined;
      if (!row) return notFound(c);
      return c.redirect(`/console/checks/${id}`, 303);
    });
  }
  // Keep last: every other /console path falls through to here. Signed-out visitors are sent to sign in first.
  app.all('/*', signedIn, notFound);
  return app;
}
