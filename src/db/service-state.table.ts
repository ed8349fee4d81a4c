import type { ColumnType } from 'kysely';

/**
 * Small named facts the service keeps about itself (e.g. when a background loop
 * last ticked), so a restarted instance can tell how long it was away.
 */
export interface ServiceStateTable {
  key: string;
  value: ColumnType<unknown, string, string>;
  updated_at: Date;
}
