import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { ensurePingKey, findCheckIdsBySlug, insertCheck, PLATFORM_TAG, type HeartbeatService } from '../heartbeats/index.js';
import type { JobSchedule } from '../time/slots.js';
import { lockServiceCheck } from './store.js';

/** The slug a job's heartbeat check gets: its key with anything outside [a-z0-9-_] as '-'. */
export function jobSlug(key: string): string {
  return `job-${key.toLowerCase().replace(/[^a-z0-9_-]+/g, '-')}`.slice(0, 100);
}

/**
 * Creates the heartbeat check a job reports to: a cron check on the job's own
 * schedule (or a simple one with the interval as period), grace = max run time,
 * so a job that stops running goes down through the alert loop on its own.
 */
export async function createJobCheck(
  db: Kysely<Database>,
  job: { key: string; tenantId: string | null; schedule: JobSchedule; maxRunS: number },
  now: Date,
): Promise<string> {
  const pingKey = await ensurePingKey(db, job.tenantId, now);
  const timing =
    'cron' in job.schedule
      ? { kind: 'cron' as const, schedule: job.schedule.cron, tz: job.schedule.tz, timeoutS: 86_400 }
      : { kind: 'simple' as const, timeoutS: job.schedule.intervalS };
  return insertCheck(db, { tenantId: job.tenantId, pingKey, name: `job ${job.key}`, slug: jobSlug(job.key), tags: PLATFORM_TAG, graceS: Math.max(1, job.maxRunS), ...timing }, now);
}

const encoder = new TextEncoder();

/** Pings a job's check through the same intake as external pings (committed before it returns). */
export async function pingJobCheck(
  heartbeats: HeartbeatService,
  checkId: string,
  ping: { action: 'start' | 'success' | 'fail'; rid: string; slot: Date | null; body?: string },
): Promise<void> {
  await heartbeats.ping({
    checkId,
    action: ping.action,
    exitStatus: null,
    method: 'POST',
    scheme: 'internal',
    remoteAddr: null,
    ua: 'overdue-scheduler',
    body: ping.body ? encoder.encode(ping.body.slice(0, 10_000)) : null,
    rid: ping.rid,
    scheduledFor: ping.slot,
  });
}

/**
 * A platform check for one of Overdue's own loops (found by slug, created
 * once). Nothing keeps slugs unique, so instances asking at once serialize on
 * an advisory lock per slug: the first creates, the others find its check.
 */
export async function ensureServiceCheck(
  db: Kysely<Database>,
  check: { slug: string; name: string; timeoutS: number; graceS: number },
  now: Date,
): Promise<string> {
  return db.transaction().execute(async (trx) => {
    await lockServiceCheck(trx, check.slug);
    const pingKey = await ensurePingKey(trx, null, now);
    const [existing] = await findCheckIdsBySlug(trx, pingKey, check.slug);
    if (existing) return existing;
    return insertCheck(trx, { tenantId: null, pingKey, name: check.name, slug: check.slug, tags: PLATFORM_TAG, timeoutS: check.timeoutS, graceS: check.graceS }, now);
  });
}
