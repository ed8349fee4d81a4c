import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../../src/db/migrate.js';
import { migrations } from '../../../src/db/migrations/index.js';
import { backend, testDatabase, type TestDatabase } from '../../support/db.js';

// Alerting starts at 0011: signals recorded before it are history, and must not page anyone at upgrade.
describe(`migration 0011 (alerts) on ${backend}`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await testDatabase({ migrated: false });
  });
  afterAll(() => t?.close());

  it('marks every signal recorded before it as alerted, and leaves new ones to alerting', async () => {
    const upTo0010 = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0011'));
    expect((await runMigrations(t.db, upTo0010)).error).toBeUndefined();
    const at = new Date('2026-03-01T10:00:00Z');
    await sql`insert into signals (source, kind, tenant_id, component, severity, summary, evidence, likely_cause, created_at, processed_at)
              values ('check:old', 'failing', null, null, 'major', 'old', '{}', null, ${at}, null),
                     ('check:older', 'recovered', null, null, 'major', 'older', '{}', null, ${at}, ${at})`.execute(t.db);
    const upTo0011 = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0012'));
    expect((await runMigrations(t.db, upTo0011)).applied).toEqual(['0011_alerts']);
    const rows = await t.db.selectFrom('signals').select(['source', 'alerted_at', 'attempts']).orderBy('source').execute();
    expect(rows).toEqual([
      { source: 'check:old', alerted_at: at, attempts: 0 },
      { source: 'check:older', alerted_at: at, attempts: 0 },
    ]);
    await sql`insert into signals (source, kind, tenant_id, component, severity, summary, evidence, likely_cause, created_at) values ('check:new', 'failing', null, null, 'major', 'new', '{}', null, ${at})`.execute(t.db);
    const fresh = await t.db.selectFrom('signals').select('alerted_at').where('source', '=', 'check:new').executeTakeFirstOrThrow();
    expect(fresh.alerted_at).toBeNull();
  });
});
