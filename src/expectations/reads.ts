import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { viewResult, type ViewedResult } from './result-cut.js';
import type { ExpectationService } from './service.js';
import { failingExpectationTotals, findExpectation, findState, listExpectations, listRemediations, listResults, recentResultsOf, type ExpectationRow, type FailingTotals, type RemediationRow, type StateRow } from './store.js';

/** An expectation as a viewer sees it in a list: its own state (a tenant: its own part). */
export interface ExpectationItem {
  row: ExpectationRow;
  failing: boolean;
  /** When the current failing run began (the admin: the state's; a tenant: its oldest failing result in the recent ones). */
  failingSince: Date | null;
  latest: ViewedResult | null;
}

export interface ExpectationDetail extends ExpectationItem {
  description: string | null;
  unit: string | null;
  /** The state across tenants: the admin key only (it is everyone's). */
  state: StateRow | null;
  results: ViewedResult[];
  remediations: RemediationRow[];
}

/** How many recent results a tenant's own failing run is looked for in (its part is not stored as a state). */
const TENANT_HISTORY = 20;

/**
 * What the operator console reads of expectations: the rows the API reads,
 * through the same store functions and the same per-tenant cut
 * (result-cut.ts). `tenantId` null is the admin key. A tenant sees the
 * expectations evaluated for each tenant (forEachTenant), never the
 * platform-wide ones, whose results are everyone's.
 */
export interface ExpectationReads {
  list(tenantId: string | null): Promise<ExpectationItem[]>;
  detail(id: string, tenantId: string | null, limit: number): Promise<ExpectationDetail | undefined>;
  /** How many expectations fail now, for how many tenants and slots (the overview's line; the same rule as `list`'s `failing`). */
  failingTotals(tenantId: string | null): Promise<FailingTotals>;
}

export function expectationReads(db: Kysely<Database>, service: Pick<ExpectationService, 'definition'>): ExpectationReads {
  const visible = (row: ExpectationRow, tenantId: string | null) => tenantId === null || row.scope === 'forEachTenant';

  const item = (row: ExpectationRow, state: StateRow | null | undefined, results: ViewedResult[], tenantId: string | null): ExpectationItem => {
    const latest = results[0] ?? null;
    if (tenantId === null) return { row, latest, failing: state?.status === 'failing', failingSince: state?.failing_since ?? null };
    // The tenant's own run of failures: the newest results while they fail for it.
    let since: Date | null = null;
    for (const r of results) {
      if (r.outcome !== 'fail') break;
      since = r.evaluatedAt;
    }
    return { row, latest, failing: latest?.outcome === 'fail', failingSince: since };
  };

  return {
    async list(tenantId) {
      const rows = (await listExpectations(db)).filter((r) => visible(r, tenantId));
      const recent = await recentResultsOf(db, rows.map((r) => r.id), tenantId === null ? 1 : TENANT_HISTORY);
      const items = rows.map((r) => item(r, r.state, recent.get(r.id)!.map((x) => viewResult(x, tenantId)), tenantId));
      // Failing first, the longest failing first; then by id.
      const rank = (i: ExpectationItem) => (i.failing ? 0 : i.row.archived_at ? 2 : 1);
      return items.sort((a, b) => rank(a) - rank(b) || (a.failingSince?.getTime() ?? 0) - (b.failingSince?.getTime() ?? 0) || a.row.id.localeCompare(b.row.id));
    },
    async detail(id, tenantId, limit) {
      const row = await findExpectation(db, id);
      if (!row || !visible(row, tenantId)) return undefined;
      const [state, results, remediations] = await Promise.all([findState(db, id), listResults(db, id, Math.max(limit, TENANT_HISTORY)), listRemediations(db, id, tenantId, 100)]);
      const viewed = results.map((r) => viewResult(r, tenantId));
      const def = service.definition(id);
      return {
        ...item(row, state, viewed, tenantId),
        results: viewed.slice(0, limit),
        description: def?.description ?? null,
        unit: def?.unit ?? null,
        state: tenantId === null ? (state ?? null) : null,
        remediations,
      };
    },
    failingTotals: (tenantId) => failingExpectationTotals(db, tenantId),
  };
}
