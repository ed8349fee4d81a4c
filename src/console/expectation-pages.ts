import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { ExpectationPage, ExpectationsPage, type ExpectationListItem, type ExpectationView } from '../../console-ui/expectations.js';
import type { Notice } from '../../console-ui/view.js';
import { AppError } from '../errors.js';
import type { ExpectationDetail, ExpectationItem, ExpectationReads, ExpectationService, ViewedResult } from '../expectations/index.js';
import { utc } from './check-views.js';
import type { ConsoleSession } from './sessions.js';
import { viewerOf } from './viewer.js';
import { NotFoundPage } from '../../console-ui/layout.js';

type Env = { Variables: { session: ConsoleSession } };
type Render = (c: Context<Env>, body: unknown, status?: number) => Response;
/** id → "slug (name)" of the tenants that exist (billing's, handed in by the root). */
export type TenantLabels = (ids: string[]) => Promise<Map<string, { slug: string; name: string }>>;

/** Expectation ids are checks-as-code ids: short, plain. Anything else is not one. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const RESULTS = 50;

function listItem(i: ExpectationItem): ExpectationListItem {
  const since = i.failingSince ? ` since ${utc(i.failingSince)}` : '';
  return {
    id: i.row.id,
    title: i.row.title,
    kind: i.row.kind,
    scope: i.row.scope,
    failing: i.failing,
    archived: i.row.archived_at !== null,
    stateLabel: i.row.archived_at ? 'archived (no longer in checks/)' : i.failing ? `failing${since}` : i.latest ? 'passing' : 'not evaluated yet',
    lastOutcome: i.latest?.outcome ?? null,
    lastAt: i.latest ? utc(i.latest.evaluatedAt) : null,
    lastAtIso: i.latest?.evaluatedAt.toISOString() ?? null,
  };
}

/** A sample row's value as text: scalars as they are, anything else as JSON (escaped by the view). */
const text = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

async function view(d: ExpectationDetail, session: ConsoleSession, labels: TenantLabels): Promise<ExpectationView> {
  const latest: ViewedResult | null = d.latest;
  const tenantIds = [...new Set([...Object.keys(latest?.byTenant ?? {}), ...d.remediations.map((r) => r.tenant_id)])];
  const names = await labels(tenantIds.filter((t) => /^[0-9a-f-]{36}$/.test(t)));
  const label = (id: string) => {
    const n = names.get(id);
    return n ? `${n.slug} (${n.name})` : id === 'platform' ? 'the platform' : id;
  };
  const failingTenants = Object.entries(latest?.byTenant ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([id, count]) => ({
      label: label(id),
      count,
      samples: (latest?.sample ?? []).filter((s) => (s.tenant_id ?? 'platform') === id).map((s) => Object.entries(s).filter(([k]) => k !== 'tenant_id').map(([k, v]) => [k, text(v)] as [string, string])),
    }));
  const admin = session.kind === 'admin';
  return {
    ...listItem(d),
    description: d.description,
    severity: d.row.severity,
    component: d.row.component,
    unit: d.unit,
    sourceFile: d.row.source_file,
    heldUntil: d.state?.silenced_until && d.state.silenced_until > (latest?.evaluatedAt ?? new Date(0)) ? utc(d.state.silenced_until) : null,
    summary: latest?.outcome === 'fail' ? latest.summary : null,
    results: d.results.map((r) => ({
      id: r.id.toString(),
      at: utc(r.evaluatedAt),
      atIso: r.evaluatedAt.toISOString(),
      outcome: r.outcome,
      observed: r.observed,
      failing: r.failingCount,
      trigger: r.trigger,
      duration: `${r.durationMs} ms`,
      error: r.error,
    })),
    failingTenants,
    remediations: d.remediations.map((r) => ({ tenant: label(r.tenant_id), slot: utc(r.slot), slotIso: r.slot.toISOString(), state: r.state, attempts: r.attempts, error: r.error })),
    evaluate: d.row.archived_at ? null : admin ? 'For every tenant; the result is stored and a failure is repaired.' : 'For your tenant only: repairs your missing runs; the shared history is not changed.',
  };
}

/**
 * `/console/expectations` (mounted under /console): the list failing first
 * and each expectation's results, failing rows, remediation ledger and
 * "Evaluate now", over the service the API uses. The admin key sees and
 * evaluates everything; a tenant key sees the per-tenant expectations cut
 * to its own rows and evaluates for itself only (as its API call does).
 */
export function expectationPages(deps: { service: ExpectationService; reads: ExpectationReads; tenantLabels: TenantLabels; signedIn: MiddlewareHandler<Env>; html: Render }): Hono<Env> {
  const { reads, signedIn, html } = deps;
  const app = new Hono<Env>();
  const tenantOf = (s: ConsoleSession) => (s.kind === 'admin' ? null : (s.tenantId ?? '00000000-0000-0000-0000-000000000000'));
  const notFound = (c: Context<Env>) => html(c, NotFoundPage({ viewer: viewerOf(c.get('session')), back: { href: '/console/expectations', label: 'Back to expectations' } }), 404);

  const one = async (c: Context<Env>, id: string, notice?: Notice, status = 200) => {
    const s = c.get('session');
    const d = ID.test(id) ? await reads.detail(id, tenantOf(s), RESULTS) : undefined;
    if (!d) return notFound(c);
    return html(c, ExpectationPage({ viewer: viewerOf(s), e: await view(d, s, deps.tenantLabels), ...(notice && { notice }) }), status);
  };

  app.get('/expectations', signedIn, async (c) => {
    const s = c.get('session');
    const items = (await reads.list(tenantOf(s))).map(listItem);
    // `?state=failing` is where the overview's failing-expectations tile leads; anything else lists all.
    const failingOnly = c.req.query('state') === 'failing';
    const tabs = [
      { label: 'all', count: items.length, href: '/console/expectations', current: !failingOnly },
      { label: 'failing', count: items.filter((i) => i.failing).length, href: '/console/expectations?state=failing', current: failingOnly },
    ];
    return html(c, ExpectationsPage({ viewer: viewerOf(s), tabs, failingOnly, items: failingOnly ? items.filter((i) => i.failing) : items }));
  });
  app.get('/expectations/:id', signedIn, (c) => one(c, c.req.param('id')));

  app.post('/expectations/:id/evaluate', signedIn, async (c) => {
    const s = c.get('session');
    const id = c.req.param('id');
    const tenant = tenantOf(s);
    const d = ID.test(id) ? await reads.detail(id, tenant, 1) : undefined;
    if (!d) return notFound(c);
    if (d.row.archived_at) return one(c, id, { ok: false, text: 'This expectation is archived: it is no longer evaluated.' }, 409);
    try {
      if (tenant === null) {
        const r = await deps.service.evaluate(id, 'api');
        return one(c, id, { ok: r.outcome !== 'error', text: `Evaluated at ${utc(r.evaluated_at)}: ${r.outcome}, ${r.failing_count} failing.` });
      }
      const r = await deps.service.evaluateForTenant(id, tenant);
      const repaired = r.repaired === null ? '' : ` ${r.repaired} repaired first.`;
      return one(c, id, { ok: r.outcome !== 'error', text: `Evaluated for your tenant at ${utc(r.evaluatedAt)}: ${r.outcome}, ${r.failingCount} failing.${repaired} (Your own evaluation is not added to the shared results.)` });
    } catch (err) {
      if (err instanceof AppError) return one(c, id, { ok: false, text: err.message }, err.status);
      throw err;
    }
  });
  return app;
}
