import { Hono, type Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { requireApiKey } from '../http/middleware/api-key.js';
import { idempotency } from '../http/middleware/idempotency.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { ExpectationService } from './service.js';
import type { TenantEvaluation } from './tenant-evaluation.js';
import { findExpectation, findState, listExpectations, listResults, type ExpectationRow, type ResultRow, type StateRow } from './store.js';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

function stateJson(s: StateRow | null | undefined) {
  return s ? { status: s.status, last_outcome: s.last_outcome, failing_since: iso(s.failing_since), last_evaluated_at: iso(s.last_evaluated_at) } : null;
}

function expectationJson(e: ExpectationRow, state: StateRow | null | undefined) {
  return {
    id: e.id,
    title: e.title,
    component: e.component,
    kind: e.kind,
    scope: e.scope,
    severity: e.severity,
    schedule: e.schedule,
    failure_threshold: e.failure_threshold,
    recovery_threshold: e.recovery_threshold,
    remediation: e.remediation,
    source_file: e.source_file,
    archived: e.archived_at !== null,
    state: stateJson(state),
  };
}

/** A result as a principal may see it: a tenant key sees only its own tenant's rows. */
function resultJson(r: ResultRow, tenantId: string | null) {
  const byTenant = r.by_tenant as Record<string, number>;
  const sample = r.sample as Record<string, unknown>[];
  const mine = tenantId === null ? null : (byTenant[tenantId] ?? 0);
  return {
    id: r.id.toString(),
    evaluated_at: r.evaluated_at.toISOString(),
    outcome: tenantId === null || r.outcome === 'error' || r.outcome === 'unknown' ? r.outcome : mine ? r.outcome : 'pass',
    observed_value: tenantId === null ? (r.observed_value?.toString() ?? null) : String(mine),
    failing_count: tenantId === null ? r.failing_count : mine,
    by_tenant: tenantId === null ? byTenant : mine ? { [tenantId]: mine } : {},
    sample: tenantId === null ? sample : sample.filter((s) => s.tenant_id === tenantId),
    window_start: iso(r.window_start),
    window_end: iso(r.window_end),
    duration_ms: r.duration_ms,
    trigger: r.trigger,
    summary: tenantId === null ? r.summary : undefined,
    error: r.error,
  };
}

/** A tenant's own evaluation: the shape of a result, without an id (it is not stored) and with what was repaired. */
function tenantResultJson(r: TenantEvaluation) {
  return {
    id: null,
    scope: 'tenant',
    evaluated_at: r.evaluatedAt.toISOString(),
    outcome: r.outcome,
    observed_value: r.observed?.toString() ?? null,
    failing_count: r.failingCount,
    by_tenant: r.failingCount > 0 || r.outcome === 'fail' || r.outcome === 'warn' ? { [r.tenantId]: r.failingCount } : {},
    sample: r.sample,
    window_start: iso(r.windowStart),
    window_end: iso(r.windowEnd),
    duration_ms: r.durationMs,
    trigger: r.trigger,
    error: r.error,
    repaired: r.repaired,
  };
}

/** Expectations API (admin or tenant key; a tenant key sees its own tenant's part of each result). */
export function expectationRoutes(deps: { db: Kysely<Database>; clock: Clock; logger: Logger; service: ExpectationService }): Hono<AppEnv> {
  const { db, service } = deps;
  const app = new Hono<AppEnv>().basePath('/api/v1/expectations');
  app.use('*', requireApiKey(db));
  const viewer = (c: Context<AppEnv>) => {
    const p = c.get('principal');
    return p.kind === 'admin' ? null : (p.tenantId ?? '00000000-0000-0000-0000-000000000000');
  };
  const expectation = async (c: Context<AppEnv>) => {
    const e = await findExpectation(db, c.req.param('id') ?? '');
    if (!e) throw new AppError('not_found', `no expectation ${c.req.param('id')}`);
    return e;
  };

  // The overall state is across tenants: a tenant key sees it per tenant on GET /:id instead.
  app.get('/', async (c) => c.json({ data: (await listExpectations(db)).map((e) => expectationJson(e, viewer(c) === null ? e.state : undefined)), next_cursor: null }));

  app.get('/:id', async (c) => {
    const e = await expectation(c);
    const tenant = viewer(c);
    const state = await findState(db, e.id);
    const [latest] = await listResults(db, e.id, 1);
    const byTenant = (latest?.by_tenant ?? {}) as Record<string, number>;
    const tenants = Object.entries(byTenant)
      .filter(([t]) => tenant === null || t === tenant)
      .map(([t, n]) => ({ tenant_id: t, outcome: latest!.outcome, failing: n }));
    const def = service.definition(e.id);
    return c.json({
      ...expectationJson(e, tenant === null ? state : undefined),
      description: def?.description ?? null,
      unit: def?.unit ?? null,
      latest_result: latest ? resultJson(latest, tenant) : null,
      // Current state per tenant: the failing ones of the latest evaluation (everyone else passes).
      tenants,
    });
  });

  app.get('/:id/results', async (c) => {
    const e = await expectation(c);
    const limitRaw = Number(c.req.query('limit') ?? 50);
    if (!Number.isInteger(limitRaw) || limitRaw < 1 || limitRaw > 500) throw new AppError('bad_request', 'limit must be a whole number from 1 to 500');
    const cursor = c.req.query('cursor');
    if (cursor !== undefined && !/^[0-9]{1,18}$/.test(cursor)) throw new AppError('bad_request', 'cursor must be a next_cursor value');
    const rows = await listResults(db, e.id, limitRaw, cursor === undefined ? undefined : BigInt(cursor));
    return c.json({ data: rows.map((r) => resultJson(r, viewer(c))), next_cursor: rows.length === limitRaw ? rows[rows.length - 1]!.id.toString() : null });
  });

  // The admin key evaluates (and repairs) for everyone; a tenant key for its own tenant only.
  app.post('/:id/evaluate', idempotency(deps), async (c) => {
    const e = await expectation(c);
    if (e.archived_at) throw new AppError('invalid_state', `expectation ${e.id} is archived`);
    const p = c.get('principal');
    if (p.kind === 'admin') return c.json(resultJson(await service.evaluate(e.id, 'api'), null));
    if (!p.tenantId || e.scope !== 'forEachTenant') throw new AppError('forbidden', `expectation ${e.id} is evaluated for the platform as a whole: that needs the admin key`);
    return c.json(tenantResultJson(await service.evaluateForTenant(e.id, p.tenantId)));
  });

  return app;
}
