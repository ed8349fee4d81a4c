import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../../src/db/migrate.js';
import { migrations } from '../../../src/db/migrations/index.js';
import { insertCheck } from '../../../src/heartbeats/checks-store.js';
import { backend, testDatabase, type TestDatabase } from '../../support/db.js';

// Before 0010 the incident loop turned unprocessed flips into signals; from 0010 heartbeats write a
// flip's signal with the flip. Flips still waiting at upgrade time must not be lost.
describe(`migration 0010 (flip signals) on ${backend}`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await testDatabase({ migrated: false });
  });
  afterAll(() => t?.close());

  it('turns flips left unprocessed into the signals the incident loop would have written, once', async () => {
    const upTo0009 = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0010'));
    expect((await runMigrations(t.db, upTo0009)).error).toBeUndefined();
    const at = new Date('2026-03-01T10:00:00Z');
    await t.db.insertInto('ping_keys').values({ ping_key: 'k'.repeat(22), tenant_id: null, created_at: at }).execute();
    const id = await insertCheck(t.db, { tenantId: null, pingKey: 'k'.repeat(22), name: 'backup' }, at);
    const flip = (o: string, n: string, minutes: number, processed: Date | null) =>
      ({ check_id: id, tenant_id: null, created: new Date(at.getTime() + minutes * 60_000), detected_at: at, processed, old_status: o, new_status: n, reason: n === 'down' ? 'timeout' : '', detail: '' }) as never;
    await t.db.insertInto('flips').values([flip('new', 'up', 0, at), flip('up', 'down', 5, null), flip('down', 'up', 9, null)]).execute();

    const upTo0010 = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0011'));
    expect((await runMigrations(t.db, upTo0010)).applied).toEqual(['0010_flip_signals']);
    const signals = await t.db.selectFrom('signals').select(['source', 'kind', 'summary', 'created_at']).orderBy('id').execute();
    expect(signals).toEqual([
      { source: `check:${id}`, kind: 'failing', summary: 'Heartbeat backup is down', created_at: new Date('2026-03-01T10:05:00Z') },
      { source: `check:${id}`, kind: 'recovered', summary: 'Heartbeat backup is up again', created_at: new Date('2026-03-01T10:09:00Z') },
    ]);
    expect(await t.db.selectFrom('flips').select('id').where('processed', 'is', null).execute()).toEqual([]);
  });
});
