import type { ExpectationDefinition } from './define.js';
import type { Evaluation } from './kinds.js';
import type { Outcome } from './table.js';

/**
 * One tenant's own evaluation of a forEachTenant expectation (a tenant key's
 * POST …/evaluate): its part of the measurement, and what was repaired for it.
 * It is not a result of the expectation as a whole, so it is not stored in the
 * shared history and moves no thresholds and writes no signals.
 */
export interface TenantEvaluation {
  tenantId: string;
  evaluatedAt: Date;
  outcome: Outcome;
  observed: bigint | null;
  failingCount: number;
  sample: Record<string, unknown>[];
  windowStart: Date | null;
  windowEnd: Date | null;
  durationMs: number;
  trigger: 'api' | 'reverify';
  error: string | null;
  /** Records repaired for this tenant by the remediation (null: none ran). */
  repaired: number | null;
}

/**
 * A whole evaluation cut to one tenant's part: its weight, sample rows and
 * repair targets. Its outcome is the tenant's own: passing when none of the
 * failing rows are its, `unknown` when its slots are not judged yet.
 */
export function evaluationForTenant(def: Pick<ExpectationDefinition, 'kind'>, e: Evaluation, tenantId: string): Evaluation {
  if (e.outcome === 'error') return e;
  const mine = e.byTenant[tenantId];
  let outcome: Outcome;
  if (mine === undefined) outcome = e.unverifiedTenants.includes(tenantId) ? 'unknown' : 'pass';
  // A freshness row of weight 0 is only older than the warning age.
  else outcome = e.outcome === 'warn' || (def.kind === 'freshness' && mine === 0) ? 'warn' : 'fail';
  return {
    outcome,
    observed: BigInt(mine ?? 0),
    failingCount: mine ?? 0,
    sample: e.sample.filter((r) => r.tenant_id === tenantId),
    byTenant: mine === undefined ? {} : { [tenantId]: mine },
    windowStart: e.windowStart,
    windowEnd: e.windowEnd,
    targets: e.targets.filter((t) => t.tenantId === tenantId),
    unverifiedTenants: e.unverifiedTenants.filter((t) => t === tenantId),
  };
}
