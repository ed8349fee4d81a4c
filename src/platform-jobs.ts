import type { Kysely } from 'kysely';
import type { Database } from './db/database.js';
import { pruneKeys } from './http/idempotency-store.js';
import { pruneRateLimits } from './http/rate-limit.js';
import type { JobDefinition } from './scheduler/index.js';

/** Jobs of the platform itself (no feature's): pruning idempotency keys once they are over `keepMs` old, and old rate-limit windows. */
export function platformJobs(deps: { db: Kysely<Database>; idempotencyKeepMs: number }): JobDefinition[] {
  return [
    {
      key: 'api.idempotency-cleanup',
      schedule: { intervalS: 3600 },
      catchUp: 'latest',
      maxRunS: 300,
      handler: async ({ slot }) => {
        const before = new Date(slot.getTime() - deps.idempotencyKeepMs);
        while ((await pruneKeys(deps.db, before, 5000)) === 5000) {
          // more to prune
        }
        // Rate-limit windows are at most a day long: older counters decide nothing.
        const windowsBefore = new Date(slot.getTime() - 25 * 3_600_000);
        while ((await pruneRateLimits(deps.db, windowsBefore, 5000)) === 5000) {
          // more to prune
        }
      },
    },
  ];
}
