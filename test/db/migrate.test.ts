import { sql, type Kysely, type Migration } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSchema, runMigrations } from '../../src/db/migrate.js';
import { migrations } from '../../src/db/migrations/index.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';

async function tables(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables where table_schema = 'public' order by 1`.execute(db);
  return rows.map((r) => r.name);
}

describe(`migrations on ${backend}`, () => {
  describe('from an empty database', () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await testDatabase({ migrated: false });
    });
    afterAll(() => t?.close());

    it('apply every migration, then find nothing to do', async () => {
      expect(await tables(t.db)).toEqual([]);
      expect((await checkSchema(t.db, migrations)).pending).toEqual(Object.keys(migrations));

      const first = await runMigrations(t.db, migrations);
      expect(first.error).toBeUndefined();
      expect(first.applied).toEqual(Object.keys(migrations));
      expect(await tables(t.db)).toEqual(expect.arrayContaining(['api_keys', 'service_state', 'kysely_migration']));
      expect(await checkSchema(t.db, migrations)).toMatchObject({ ok: true, pending: [], unknown: [], reason: null });

      const second = await runMigrations(t.db, migrations);
      expect(second).toEqual({ applied: [] });
    });
  });

  describe('two migrators at once', () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await testDatabase({ migrated: false });
    });
    afterAll(() => t?.close());

    it('the second waits for the first, then finds nothing to do', async () => {
      // A slow migration makes the overlap certain.
      const slow: Record<string, Migration> = {
        '0001_slow': {
          up: async (db) => {
            await sql`select pg_sleep(0.5)`.execute(db);
            await db.schema.createTable('widgets').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
          },
        },
      };
      const other = t.another();
      const finished: string[] = [];
      const run = (name: string, db: Kysely<any>) =>
        runMigrations(db, slow).then((outcome) => {
          finished.push(name);
          return outcome;
        });
      const [a, b] = await Promise.all([run('a', t.db), run('b', other.db)]);
      expect(a.error).toBeUndefined();
      expect(b.error).toBeUndefined();
      // Exactly one applied it; the other saw it done after waiting.
      expect([a.applied, b.applied].sort()).toEqual([[], ['0001_slow']]);
      const applier = a.applied.length > 0 ? 'a' : 'b';
      expect(finished[0]).toBe(applier);
      expect(await tables(t.db)).toContain('widgets');
    });
  });

  describe('a failing migration', () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await testDatabase({ migrated: false });
    });
    afterAll(() => t?.close());

    it('applies nothing of the batch it belongs to', async () => {
      const list: Record<string, Migration> = {
        '0001_good': { up: (db) => db.schema.createTable('good').addColumn('id', 'integer').execute() },
        '0002_bad': { up: async (db) => void (await sql`select no_such_function()`.execute(db)) },
      };
      const outcome = await runMigrations(t.db, list);
      expect(outcome.applied).toEqual([]);
      expect(outcome.error?.message).toMatch(/^migration 0002_bad failed: .*no_such_function/);
      expect(await tables(t.db)).not.toContain('good');
      expect((await checkSchema(t.db, list)).pending).toEqual(['0001_good', '0002_bad']);
    });
  });

  describe('schema check against a different code version', () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await testDatabase();
    });
    afterAll(() => t?.close());

    it('reports pending and unknown migrations with a reason', async () => {
      const names = Object.keys(migrations);
      const newer = { ...migrations, '9999_future': { up: async () => undefined } };
      const behind = await checkSchema(t.db, newer);
      expect(behind).toMatchObject({ ok: false, pending: ['9999_future'], unknown: [] });
      expect(behind.reason).toMatch(/schema is behind the code: 1 migration not applied \(9999_future\)/);

      await runMigrations(t.db, newer);
      const older = await checkSchema(t.db, migrations);
      expect(older).toMatchObject({ ok: false, pending: [], unknown: ['9999_future'], applied: [...names, '9999_future'] });
      expect(older.reason).toMatch(/database has 1 migration this code does not know \(9999_future\): the database is newer than the code/);
    });
  });
});
