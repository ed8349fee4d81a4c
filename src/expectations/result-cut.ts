import type { ResultRow } from './store.js';
import type { Outcome } from './table.js';

/** A stored result as one viewer may see it. */
export interface ViewedResult {
  id: bigint;
  evaluatedAt: Date;
  outcome: Outcome;
  observed: string | null;
  failingCount: number;
  /** tenant id → failing rows (a tenant: only its own entry). */
  byTenant: Record<string, number>;
  sample: Record<string, unknown>[];
  windowStart: Date | null;
  windowEnd: Date | null;
  durationMs: number;
  trigger: ResultRow['trigger'];
  /** Names other tenants' slugs: the admin key only. */
  summary: string | null;
  error: string | null;
}

/**
 * A result cut to what a viewer may see: `tenantId` null is the admin key
 * (everything); a tenant sees only its own weight and sample rows, and its
 * own outcome (passing when none of the failing rows are its). The API and
 * the console both show results through this one rule.
 */
export function viewResult(r: ResultRow, tenantId: string | null): ViewedResult {
  const byTenant = r.by_tenant as Record<string, number>;
  const sample = r.sample as Record<string, unknown>[];
  const base = { id: r.id, evaluatedAt: r.evaluated_at, windowStart: r.window_start, windowEnd: r.window_end, durationMs: r.duration_ms, trigger: r.trigger, error: r.error };
  if (tenantId === null) return { ...base, outcome: r.outcome, observed: r.observed_value?.toString() ?? null, failingCount: r.failing_count, byTenant, sample, summary: r.summary };
  const mine = byTenant[tenantId] ?? 0;
  return {
    ...base,
    outcome: r.outcome === 'error' || r.outcome === 'unknown' ? r.outcome : mine ? r.outcome : 'pass',
    observed: String(mine),
    failingCount: mine,
    byTenant: mine ? { [tenantId]: mine } : {},
    sample: sample.filter((s) => s.tenant_id === tenantId),
    summary: null,
  };
}
