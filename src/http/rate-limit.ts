import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';

/**
 * A rate limit that holds across instances: at most `max` hits per bucket in
 * each fixed window of `windowMs`, counted in the database with one upsert per
 * hit. Buckets are hashed, so neither an address nor an e-mail is stored.
 */
export interface RateLimit {
  /** Counts a hit; false when the bucket is over its limit in this window (the hit still counts). */
  allow(key: string, now: Date): Promise<boolean>;
}

export function databaseRateLimit(db: Kysely<Database>, name: string, max: number, windowMs: number): RateLimit {
  return {
    async allow(key, now) {
      const bucket = `${name}:${createHash('sha256').update(key.toLowerCase()).digest('hex').slice(0, 32)}`;
      const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
      const row = await db
        .insertInto('rate_limits')
        .values({ bucket, window_start: windowStart, hits: 1 })
        .onConflict((oc) => oc.columns(['bucket', 'window_start']).doUpdateSet({ hits: sql`rate_limits.hits + 1` }))
        .returning('hits')
        .executeTakeFirstOrThrow();
      return row.hits <= max;
    },
  };
}

/** Deletes up to `batch` counters of windows that started before `before`; returns how many. */
export async function pruneRateLimits(db: Kysely<Database>, before: Date, batch: number): Promise<number> {
  const r = await sql`
    delete from rate_limits where (bucket, window_start) in (
      select bucket, window_start from rate_limits where window_start < ${before} limit ${batch}
    )`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}
