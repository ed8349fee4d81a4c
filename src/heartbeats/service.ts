import type { Meter } from '@opentelemetry/api';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { checkExists, countChecksForPingKey, findCheckIdsBySlug, findPingKey, insertCheck } from './checks-store.js';
import type { MaintenanceWindows } from '../signals/index.js';
import { PingIntake, type IncomingPing, type IntakeOptions, type PingOutcome } from './intake.js';

export interface HeartbeatService {
  ping(ping: IncomingPing): Promise<PingOutcome>;
  checkExists(id: string): Promise<boolean>;
  /** Slug → check; with `create`, provisions it (healthchecks' `?create=1`). */
  resolveSlug(pingKey: string, slug: string, create: boolean): Promise<{ checkId: string; created: boolean } | 'not_found' | 'ambiguous'>;
  intake: PingIntake;
}

export function createHeartbeatService(deps: {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  meter: Meter;
  intake: IntakeOptions;
  /** How many checks one ping key may auto-create. */
  autoCreateLimit: number;
  onDeadline?: (at: Date) => void;
  maintenance?: MaintenanceWindows;
}): HeartbeatService {
  const { db, clock } = deps;
  const intake = new PingIntake({ db, clock, logger: deps.logger, meter: deps.meter, options: deps.intake, ...(deps.onDeadline && { onDeadline: deps.onDeadline }), ...(deps.maintenance && { maintenance: deps.maintenance }) });
  return {
    intake,
    ping: (ping) => intake.submit(ping),
    // A check pinged recently needs no read: the ping itself still finds out if it was deleted since.
    checkExists: async (id) => intake.knows(id) || (await checkExists(db, id)),
    async resolveSlug(pingKey, slug, create) {
      const ids = await findCheckIdsBySlug(db, pingKey, slug);
      if (ids.length > 1) return 'ambiguous';
      if (ids.length === 1) return { checkId: ids[0]!, created: false };
      if (!create) return 'not_found';
      const key = await findPingKey(db, pingKey);
      if (!key || (await countChecksForPingKey(db, pingKey)) >= deps.autoCreateLimit) return 'not_found';
      const checkId = await insertCheck(db, { tenantId: key.tenant_id, pingKey, name: slug, slug }, clock.now());
      deps.logger.info({ checkId, slug, tenantId: key.tenant_id }, 'check auto-created by ping');
      return { checkId, created: true };
    },
  };
}
