import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.js';

/** A source (`check:<uuid>`, `expectation:<id>`) with the tenant that owns it (null: the platform's, or shared by every tenant). */
export interface OwnedSource {
  source: string;
  owner: string | null;
}

/**
 * Maintenance windows, as a producer of signals sees them: given sources,
 * the ones a window in progress at `now` covers, each with the window's end.
 * Only a window its owner may declare holds a source: one on a platform page,
 * or on a page of the tenant that owns it; one tenant's window never silences
 * another tenant's check or a shared expectation. Incidents implements it
 * (windows are its maintenances); heartbeats and expectations hold their
 * down/failing flips while it answers, so neither knows a component or
 * incident table. Runs in the caller's transaction (PGlite has one session).
 */
export type MaintenanceWindows = (db: Kysely<Database> | Transaction<Database>, sources: OwnedSource[], now: Date) => Promise<Map<string, Date>>;

/** No windows: for tests and tools that build a producer alone. */
export const noMaintenanceWindows: MaintenanceWindows = async () => new Map();

/** What a flip after a silence says of it: "after a maintenance window that ended at 2026-03-01 14:00 UTC". */
export function afterSilenceNote(silence: 'pause' | 'maintenance window', ended: Date): string {
  return `after a ${silence} that ended at ${ended.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
