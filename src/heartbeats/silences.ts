import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.js';

/**
 * Maintenance windows, as heartbeats sees them: a port heartbeats defines and
 * incidents implements (wired at the composition root), so heartbeats knows
 * no component or incident table. Given sources (`check:<uuid>`), the ones a
 * window in progress at `now` covers, each with the window's end. Runs in the
 * caller's transaction (PGlite has one session).
 */
export type MaintenanceWindows = (db: Kysely<Database> | Transaction<Database>, sources: string[], now: Date) => Promise<Map<string, Date>>;

/** No windows: for tests and tools that build heartbeats alone. */
export const noMaintenanceWindows: MaintenanceWindows = async () => new Map();
