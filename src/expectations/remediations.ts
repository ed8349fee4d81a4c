import type { ExpectationDefinition } from './define.js';
import type { Evaluation } from './kinds.js';
import { claimRemediation, finishRemediation } from './store.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';

export interface RemediationDeps {
  db: Kysely<Database>;
  logger: Logger;
  now: () => Date;
  instanceId: string;
  /** The billing core's idempotent invoice run. */
  runInvoices(tenantId: string, slot: Date): Promise<{ created: number; existing: number }>;
  /** The billing core's settlement sweep. */
  settle(): Promise<{ paid: number }>;
}

export interface RemediationOutcome {
  repaired: number;
  failed: number;
  /** Claimed elsewhere or already repaired. */
  skipped: number;
  details: Record<string, unknown>;
}

const LEASE_MS = 10 * 60_000;
const PLATFORM = '00000000-0000-0000-0000-000000000000';

/**
 * Runs a definition's named remediation. Each unit of repair (expectation,
 * tenant, slot) is claimed in the remediation ledger first, so two instances
 * never both repair it and a repair that succeeded is never repeated.
 */
export async function runRemediation(def: ExpectationDefinition, e: Evaluation, asOf: Date, deps: RemediationDeps): Promise<RemediationOutcome> {
  const out: RemediationOutcome = { repaired: 0, failed: 0, skipped: 0, details: {} };
  const attempt = async (tenantId: string, slot: Date, work: () => Promise<number>, label: string) => {
    const claim = await claimRemediation(deps.db, { expectationId: def.id, tenantId, slot }, deps.instanceId, deps.now(), LEASE_MS);
    if (!claim) {
      out.skipped++;
      return;
    }
    try {
      const repaired = await work();
      out.repaired += repaired;
      await finishRemediation(deps.db, claim.id, deps.instanceId, { state: 'succeeded', result: { repaired } }, deps.now());
    } catch (err) {
      out.failed++;
      deps.logger.error({ err, expectation: def.id, tenantId, slot: slot.toISOString(), remediation: label }, 'remediation attempt failed');
      await finishRemediation(deps.db, claim.id, deps.instanceId, { state: 'failed', error: (err as Error)?.message ?? String(err) }, deps.now());
    }
  };
  if (def.remediation === 'invoice-run') {
    const runs: { tenant: string; slot: string; created: number }[] = [];
    for (const target of e.targets) {
      for (const slot of target.slots) {
        await attempt(
          target.tenantId,
          slot,
          async () => {
            const r = await deps.runInvoices(target.tenantId, slot);
            runs.push({ tenant: target.slug, slot: slot.toISOString(), created: r.created });
            return r.created;
          },
          'invoice-run',
        );
      }
    }
    out.details.runs = runs;
  } else if (def.remediation === 'settle') {
    // One sweep per evaluation minute: the sweep itself finds every account it can settle.
    const minute = new Date(Math.floor(asOf.getTime() / 60_000) * 60_000);
    await attempt(PLATFORM, minute, async () => (await deps.settle()).paid, 'settle');
  }
  return out;
}
