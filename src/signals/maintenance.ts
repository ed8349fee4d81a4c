import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.js';

/**
 * Maintenance windows, as a producer of signals sees them: given sources
 * (`check:<uuid>`, `expectation:<id>`), the ones a window in progress at
 * `now` covers, each with the window's end. Incidents implements it (windows
 * are its maintenances); heartbeats and expectations hold their down/failing
 * flips while it answers, so neither knows a component or incident table.
 * Runs in the caller's transaction (PGlite has one session).
 */
export type MaintenanceWindows = (db: Kysely<Database> | Transaction<Database>, sources: string[], now: Date) => Promise<Map<string, Date>>;

/** No windows: for tests and tools that build a producer alone. */
export const noMaintenanceWindows: MaintenanceWindows = async () => new Map();

/** What a flip after a silence says of it: "after a maintenance window that ended at 2026-03-01 14:00 UTC". */
export function afterSilenceNote(silence: 'pause' | 'maintenance window', ended: Date): string {
  return `after a ${silence} that ended at ${ended.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
