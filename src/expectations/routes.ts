import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { requireApiKey } from '../http/middleware/api-key.js';
import { idempotency } from '../http/middleware/idempotency.js';
import { apiRouter, errors, IdempotencyHeader, instant, jsonResponse, listOf, operation, pageQuery, pathParams, z } from '../http/openapi.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { ExpectationService } from './service.js';
import type { TenantEvaluation } from './tenant-evaluation.js';
import { viewResult } from './result-cut.js';
import { findExpectation, findState, listExpectations, listResults, type ExpectationRow, type ResultRow, type StateRow } from './store.js';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

const State = z
  .object({ status: z.string(), last_outcome: z.string().nullable(), failing_since: instant().nullable(), last_evaluated_at: instant().nullable(), silenced_until: instant().nullable().openapi({ description: 'A maintenance window on a component listing this expectation holds its failing flip until then' }) })
  .nullable()
  .openapi({ description: 'Across tenants; null for a tenant key (its own part is in latest_result and tenants)' });

const Expectation = z
  .object({
    id: z.string(),
    title: z.string(),
    component: z.string().nullable(),
    kind: z.string().openapi({ description: 'slots, freshness, volume or invariant' }),
    scope: z.string().openapi({ description: 'forEachTenant or platform' }),
    severity: z.string(),
    schedule: z.unknown().openapi({ description: 'The evaluation schedule as defined (cron with zone, or interval)' }),
    failure_threshold: z.number().int(),
    recovery_threshold: z.number().int(),
    remediation: z.string().nullable(),
    source_file: z.string(),
    archived: z.boolean(),
    state: State,
  })
  .openapi('Expectation');

const resultFields = {
  evaluated_at: instant(),
  outcome: z.string().openapi({ description: 'pass, warn, fail, error or unknown' }),
  observed_value: z.string().nullable(),
  failing_count: z.number().int(),
  by_tenant: z.record(z.string(), z.number()).openapi({ description: 'tenant id → failing rows' }),
  sample: z.array(z.record(z.string(), z.unknown())).openapi({ description: 'Up to 20 failing rows' }),
  window_start: instant().nullable(),
  window_end: instant().nullable(),
  duration_ms: z.number(),
  trigger: z.string(),
  error: z.string().nullable(),
};
const Result = z
  .object({ id: z.string(), ...resultFields, summary: z.string().nullable().optional().openapi({ description: 'Admin key only' }) })
  .openapi('ExpectationResult');
const TenantResult = z
  .object({ id: z.null(), scope: z.literal('tenant'), ...resultFields, repaired: z.unknown().openapi({ description: 'What was repaired for the tenant' }) })
  .openapi('TenantExpectationResult');

const ExpectationDetail = Expectation.extend({
  description: z.string().nullable(),
  unit: z.string().nullable(),
  latest_result: Result.nullable(),
  tenants: z.array(z.object({ tenant_id: z.string(), outcome: z.string(), failing: z.number() })).openapi({ description: 'The failing tenants of the latest evaluation (a tenant key: only its own)' }),
});

const id = pathParams({ id: 'string' });

function stateJson(s: StateRow | null | undefined) {
  return s ? { status: s.status, last_outcome: s.last_outcome, failing_since: iso(s.failing_since), last_evaluated_at: iso(s.last_evaluated_at), silenced_until: iso(s.silenced_until) } : null;
}

function expectationJson(e: ExpectationRow, state: StateRow | null | undefined): z.infer<typeof Expectation> {
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

/** A result as a principal may see it (the cut in result-cut.ts): a tenant key sees only its own tenant's rows. */
function resultJson(r: ResultRow, tenantId: string | null): z.infer<typeof Result> {
  const v = viewResult(r, tenantId);
  return {
    id: v.id.toString(),
    evaluated_at: v.evaluatedAt.toISOString(),
    outcome: v.outcome,
    observed_value: v.observed,
    failing_count: v.failingCount,
    by_tenant: v.byTenant,
    sample: v.sample,
    window_start: iso(v.windowStart),
    window_end: iso(v.windowEnd),
    duration_ms: v.durationMs,
    trigger: v.trigger,
    summary: tenantId === null ? v.summary : undefined,
    error: v.error,
  };
}

/** A tenant's own evaluation: the shape of a result, without an id (it is not stored) and with what was repaired. */
function tenantResultJson(r: TenantEvaluation): z.infer<typeof TenantResult> {
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
export function expectationRoutes(deps: { db: Kysely<Database>; clock: Clock; logger: Logger; service: ExpectationService }): OpenAPIHono<AppEnv> {
  const { db, service } = deps;
  const app = apiRouter<AppEnv>().basePath('/api/v1/expectations');
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
  operation(
    app,
    {
      method: 'get',
      path: '/',
      operationId: 'listExpectations',
      summary: 'Expectations loaded from checks/, with their state',
      responses: { 200: jsonResponse(listOf(Expectation), 'Every expectation') },
    },
    async (c) => c.json({ data: (await listExpectations(db)).map((e) => expectationJson(e, viewer(c) === null ? e.state : undefined)), next_cursor: null }),
  );

  const getExpectation = {
    method: 'get' as const,
    path: '/{id}',
    operationId: 'getExpectation',
    summary: 'Definition, state, latest result and the failing tenants (a tenant key sees only its own)',
    request: { params: id },
    responses: { 200: jsonResponse(ExpectationDetail, 'The expectation'), ...errors({ 404: 'No such expectation' }) },
  };
  operation(app, getExpectation, async (c) => {
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
    } satisfies z.infer<typeof ExpectationDetail>);
  });

  const listResultsRoute = {
    method: 'get' as const,
    path: '/{id}/results',
    operationId: 'listExpectationResults',
    summary: 'Evaluation results, newest first',
    request: { params: id, query: z.object(pageQuery(500)) },
    responses: { 200: jsonResponse(listOf(Result), 'A page of results'), ...errors({ 404: 'No such expectation' }) },
  };
  operation(app, listResultsRoute, async (c) => {
    const e = await expectation(c);
    const limitRaw = Number(c.req.query('limit') ?? 50);
    if (!Number.isInteger(limitRaw) || limitRaw < 1 || limitRaw > 500) throw new AppError('bad_request', 'limit must be a whole number from 1 to 500');
    const cursor = c.req.query('cursor');
    if (cursor !== undefined && !/^[0-9]{1,18}$/.test(cursor)) throw new AppError('bad_request', 'cursor must be a next_cursor value');
    const rows = await listResults(db, e.id, limitRaw, cursor === undefined ? undefined : BigInt(cursor));
    return c.json({ data: rows.map((r) => resultJson(r, viewer(c))), next_cursor: rows.length === limitRaw ? rows[rows.length - 1]!.id.toString() : null });
  });

  // The admin key evaluates (and repairs) for everyone; a tenant key for its own tenant only.
  const evaluate = {
    method: 'post' as const,
    path: '/{id}/evaluate',
    operationId: 'evaluateExpectation',
    summary: 'Evaluate now (remediates a failure and re-verifies)',
    description:
      'The admin key evaluates for everyone and stores the result; a tenant key evaluates a forEachTenant expectation for its own tenant only (repairing its own missing invoice runs), stores nothing shared and writes no signals.',
    middleware: idempotency(deps),
    request: { params: id, headers: IdempotencyHeader },
    responses: {
      200: jsonResponse(z.union([Result, TenantResult]), 'The result (a tenant key: {"id":null,"scope":"tenant",…,"repaired"})'),
      ...errors({ 403: 'A platform-scope expectation with a tenant key', 404: 'No such expectation', 409: 'Archived' }),
    },
  };
  operation(app, evaluate, async (c) => {
    const e = await expectation(c);
    if (e.archived_at) throw new AppError('invalid_state', `expectation ${e.id} is archived`);
    const p = c.get('principal');
    if (p.kind === 'admin') return c.json(resultJson(await service.evaluate(e.id, 'api'), null));
    if (!p.tenantId || e.scope !== 'forEachTenant') throw new AppError('forbidden', `expectation ${e.id} is evaluated for the platform as a whole: that needs the admin key`);
    return c.json(tenantResultJson(await service.evaluateForTenant(e.id, p.tenantId)));
  });

  return app;
}
