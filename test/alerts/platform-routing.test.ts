import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineExpectation, defineHeartbeat } from '../../src/expectations/define.js';
import { apiClient, created, type Api } from '../support/http.js';
import { newTenant } from '../support/tenants.js';
import { TestReceiver } from '../notify/servers.js';
import { drivenOverdue, pumpAlerts, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';

/**
 * Checks-as-code name the platform channels they alert; everything else of
 * the platform's (scheduler job checks, unrouted definitions) goes to the
 * platform's default channels. A tenant's channels never hear the platform.
 */
describe(`platform alert routing on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue & { pingKey: string };
  let clock: ManualClock;
  let api: Api;
  const receiver = new TestReceiver();
  const later = (ms: number) => clock.jump(new Date(clock.now().getTime() + ms));
  const pump = () => pumpAlerts(o);
  const texts = (path: string) => receiver.on(path).map((r) => String(r.body.text));

  beforeAll(async () => {
    await receiver.start();
    t = await testDatabase();
    clock = new ManualClock(new Date('2026-12-01T10:00:00Z'));
    const checks = [
      { file: 'backup.ts', check: defineHeartbeat({ id: 'db-backup', title: 'Database backup', schedule: { periodS: 3600 }, graceS: 60, channels: ['DBA pager'] }) },
      { file: 'export.ts', check: defineHeartbeat({ id: 'export', title: 'Nightly export', schedule: { periodS: 3600 }, graceS: 60 }) },
      {
        file: 'ledger.ts',
        check: defineExpectation({
          id: 'ledger-balanced',
          title: 'Ledger balances',
          scope: 'platform',
          kind: 'invariant',
          channels: ['dba pager'],
          failing: () => sql`select null::uuid as tenant_id, 'acct-1' as account, 42 as drift`,
        }),
      },
    ];
    o = await drivenOverdue({ database: t, clock, checks, env: { WEBHOOK_ALLOW_PRIVATE: '127.0.0.1', PUBLIC_URL: 'https://overdue.example' } });
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
    // Channels named after the sync: names match when they are created.
    await created(api, '/api/v1/channels', { kind: 'slack', name: 'DBA pager', config: { url: receiver.url('/dba') } });
    await created(api, '/api/v1/channels', { kind: 'slack', name: 'platform ops', config: { url: receiver.url('/ops') }, default: true });
    await created(api, '/api/v1/channels', { kind: 'slack', name: 'platform quiet', config: { url: receiver.url('/quiet') } });
    const tenant = await newTenant(api, 'acme');
    await created(api, '/api/v1/channels', { kind: 'slack', name: 'DBA pager', config: { url: receiver.url('/tenant') } }, tenant.api_key);
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
    await receiver.stop();
  });

  it('a heartbeat definition alerts the channel it names; an unrouted one the platform default; tenants hear neither', async () => {
    for (const slug of ['checks-db-backup', 'checks-export']) expect((await o.app.request(`/ping/${o.pingKey}/${slug}`)).status).toBe(200);
    await later(3600_000 + 61_000);
    await pump();
    expect(texts('/dba')).toEqual([expect.stringContaining('Database backup')]);
    // The platform default also hears Overdue's own scheduler checks (not running in this driven instance).
    expect(texts('/ops').filter((x) => /Nightly export/.test(x))).toHaveLength(1);
    expect(texts('/ops').filter((x) => /Database backup/.test(x))).toHaveLength(0);
    expect(receiver.on('/quiet')).toHaveLength(0);
    expect(receiver.on('/tenant')).toHaveLength(0);
  });

  it('an expectation failing alerts its named channel with its sample rows', async () => {
    await o.expectations.evaluate('ledger-balanced', 'api');
    await pump();
    const dba = receiver.on('/dba');
    expect(dba).toHaveLength(2);
    expect(dba[1]!.body.text).toContain('Ledger balances');
    expect(JSON.stringify(dba[1]!.body.blocks)).toContain('acct-1');
    expect(receiver.on('/tenant')).toHaveLength(0);
  });
});
