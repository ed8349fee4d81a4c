import { sql, type RawBuilder } from 'kysely';

/** Where a newest-first list continues: after the row with this time and id. */
export interface ListCursor {
  at: Date;
  id: string;
}

/**
 * The condition for rows after `cursor` in a list ordered by (`at`, `id`)
 * descending, the one paging rule of billing's lists. Column names are code,
 * never client input.
 */
export function olderThan(cursor: ListCursor, at = 'created_at', id = 'id'): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(at)}, ${sql.ref(id)}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`;
}
