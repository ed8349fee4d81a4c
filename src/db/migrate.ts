import { Migrator, sql, type Kysely, type Migration } from 'kysely';

export type MigrationList = Readonly<Record<string, Migration>>;

export interface MigrateOutcome {
  applied: string[];
  /** Set when nothing was applied because a migration failed (all pending roll back together). */
  error?: Error;
}

/**
 * Applies pending migrations. kysely's Migrator takes a Postgres advisory lock
 * first, so concurrent starters serialize (the second waits, then finds
 * nothing to do), and runs every pending migration in one transaction: an
 * upgrade is applied whole or not at all.
 */
export async function runMigrations(db: Kysely<any>, migrations: MigrationList): Promise<MigrateOutcome> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...migrations }) } });
  const { error, results } = await migrator.migrateToLatest();
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const cause = error instanceof Error ? error : new Error(String(error));
    return { applied: [], error: new Error(failed ? `migration ${failed} failed: ${cause.message}` : cause.message, { cause }) };
  }
  return { applied };
}

export interface SchemaStatus {
  ok: boolean;
  applied: string[];
  pending: string[];
  /** Applied in the database but unknown to this code. */
  unknown: string[];
  /** Human-readable; null when ok. */
  reason: string | null;
}

/** Compares the database's applied migrations with the code's list. */
export async function checkSchema(db: Kysely<any>, migrations: MigrationList): Promise<SchemaStatus> {
  const expected = Object.keys(migrations).sort();
  const applied = await appliedMigrations(db);
  const pending = expected.filter((name) => !applied.includes(name));
  const unknown = applied.filter((name) => !expected.includes(name));
  return { ok: pending.length === 0 && unknown.length === 0, applied, pending, unknown, reason: describe(expected, pending, unknown) };
}

async function appliedMigrations(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ present: boolean }>`select to_regclass('kysely_migration') is not null as present`.execute(db);
  if (!rows[0]?.present) return [];
  const names = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return names.rows.map((r) => r.name);
}

function describe(expected: string[], pending: string[], unknown: string[]): string | null {
  const parts: string[] = [];
  if (pending.length > 0) {
    parts.push(
      `schema is behind the code: ${count(pending.length, 'migration')} not applied (${pending.join(', ')}); ` +
        'run `npm run migrate` or start with MIGRATE=on',
    );
  }
  if (unknown.length > 0) {
    const last = expected.at(-1) ?? '';
    const newer = unknown.every((name) => name > last);
    parts.push(
      `database has ${count(unknown.length, 'migration')} this code does not know (${unknown.join(', ')})` +
        (newer ? ': the database is newer than the code; deploy the matching version' : ''),
    );
  }
  return parts.length > 0 ? parts.join('; ') : null;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
