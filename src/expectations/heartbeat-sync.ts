import type { Kysely } from 'kysely';
import { withSessionLock } from '../db/advisory-lock.js';
import type { Database } from '../db/database.js';
import { createCheck, setPaused, updateCheck, type CheckSpec } from '../heartbeats/index.js';
import type { HeartbeatDefinition } from './define.js';

const PLATFORM = { tenantId: null, admin: true };
const slugOf = (id: string) => `checks-${id}`;

function specOf(def: HeartbeatDefinition): CheckSpec {
  const timing = 'periodS' in def.schedule ? { timeout: def.schedule.periodS } : { schedule: def.schedule.cron, tz: def.schedule.tz };
  // Bounds left out of the definition are cleared: the definition is the whole truth about the check.
  return { name: def.title, slug: slugOf(def.id), grace: def.graceS, ...timing, min_duration: def.minDurationS ?? null, max_duration: def.maxDurationS ?? null };
}

/**
 * Heartbeat definitions from checks/ become platform checks (slug
 * `checks-<id>`, pinged at /ping/<platform ping key>/checks-<id>), through the
 * same create-or-update the v3 API uses (so deadlines are recomputed when the
 * timing changes). A check whose definition was removed is paused; its
 * history stays. Instances starting at once sync one after another, so each
 * check is created once (nothing else keeps a platform slug unique).
 */
export async function syncHeartbeats(db: Kysely<Database>, defs: HeartbeatDefinition[], now: Date): Promise<{ created: string[]; paused: string[]; checkIds: Map<string, string> }> {
  // The create-or-update runs its own transactions, which cannot nest in ours,
  // so the lock is a session lock held on one connection, and all the sync's
  // statements go through that connection (on PGlite, the only one there is).
  return withSessionLock(db, 'overdue.startup:heartbeats', (conn) => syncLocked(conn, defs, now));
}

async function syncLocked(db: Kysely<Database>, defs: HeartbeatDefinition[], now: Date): Promise<{ created: string[]; paused: string[]; checkIds: Map<string, string> }> {
  const created: string[] = [];
  const checkIds = new Map<string, string>();
  for (const def of defs) {
    // Platform checks only: a tenant's check with the same slug is not ours to touch.
    const existing = await db.selectFrom('checks').select(['id', 'status']).where('tenant_id', 'is', null).where('slug', '=', slugOf(def.id)).executeTakeFirst();
    if (!existing) {
      const { row } = await createCheck(db, PLATFORM, specOf(def), now);
      checkIds.set(def.id, row.id);
      created.push(def.id);
      continue;
    }
    checkIds.set(def.id, existing.id);
    await updateCheck(db, PLATFORM, existing.id, specOf(def), now);
    if (existing.status === 'paused') await setPaused(db, PLATFORM, existing.id, false, now);
  }
  const wanted = new Set(defs.map((d) => slugOf(d.id)));
  const stale = await db.selectFrom('checks').select(['id', 'slug']).where('tenant_id', 'is', null).where('slug', 'like', 'checks-%').where('status', '!=', 'paused').execute();
  const paused: string[] = [];
  for (const c of stale.filter((c) => !wanted.has(c.slug))) {
    await setPaused(db, PLATFORM, c.id, true, now);
    paused.push(c.slug.slice('checks-'.length));
  }
  return { created, paused, checkIds };
}
