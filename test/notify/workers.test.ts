import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, created, type Api } from '../support/http.js';
import { drainDeliveries, drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { onPostgres, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { TestReceiver } from './servers.js';

/**
 * Two service instances on one Postgres database, each with its own
 * DeliveryWorker (PGlite is one session: SKIP LOCKED never skips there).
 * Mail goes to the local mailbox, one row per send, so a double send shows.
 */
describe.skipIf(!onPostgres)('delivery workers of two instances on one Postgres database', () => {
  let t: TestDatabase;
  let a: TestOverdue;
  let b: TestOverdue;
  let clock: ManualClock;
  let admin: string;
  let api: Api;
  const receiver = new TestReceiver();
  const emails = Array.from({ length: 10 }, (_, i) => `reader${i}@example.com`);

  const mailbox = () => t.db.selectFrom('mailbox').selectAll().orderBy('id').execute();
  const later = (ms: number) => clock.jump(new Date(clock.now().getTime() + ms));
  const drain = drainDeliveries;

  beforeAll(async () => {
    await receiver.start();
    t = await testDatabase();
    clock = new ManualClock(new Date());
    const env = { WEBHOOK_ALLOW_PRIVATE: '127.0.0.1' };
    a = await drivenOverdue({ database: t, clock, env });
    b = await drivenOverdue({ database: t.another(), clock, env });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(a, () => admin);
    // Ten confirmed email subscribers (through the API and the confirmation mail).
    for (const email of emails) expect((await api('POST', '/api/v1/pages/default/subscribers', { email }, null)).status).toBe(202);
    await a.fanOut();
    await drain(a);
    for (const m of await mailbox()) {
      const link = /(\/subscriptions\/confirm\?token=\S+)/.exec(m.text)![1]!;
      expect((await a.app.request(link)).status).toBe(200);
    }
    const confirmed = await t.db.selectFrom('subscribers').select('id').where('confirmed_at', 'is not', null).execute();
    expect(confirmed).toHaveLength(10);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await t?.close();
    await receiver.stop();
  });

  it('10 subscribers × 5 updates, fanned out and sent by both instances at once: each delivery exactly once', async () => {
    const before = (await mailbox()).length;
    const apiB = apiClient(b, () => admin);
    const id = (await created(api, '/api/v1/incidents', { name: 'Settlement stuck', status: 'investigating', impact: 'minor', body: 'Looking.' })).id as string;
    const statuses = ['identified', 'monitoring', 'identified', 'resolved'];
    for (const [i, status] of statuses.entries()) expect((await (i % 2 ? api : apiB)('POST', `/api/v1/incidents/${id}/updates`, { status, body: `Update ${i + 1}.` })).status).toBe(201);

    // Both instances fan out at the same time: one delivery per (event, subscriber).
    const fanned = await Promise.all([a.fanOut(), b.fanOut(), a.fanOut(), b.fanOut()]);
    expect(fanned.reduce((s, f) => s + f.events, 0)).toBe(5);
    expect(fanned.reduce((s, f) => s + f.deliveries, 0)).toBe(50);

    // Four concurrent tick loops, two per instance, over the same outbox.
    const attempted = await Promise.all([drain(a), drain(b), drain(a), drain(b)]);
    expect(attempted.reduce((s, n) => s + n, 0)).toBe(50);

    const rows = await t.db.selectFrom('deliveries').selectAll().where('event_key', 'like', 'event:%').execute();
    expect(rows).toHaveLength(50);
    expect(rows.every((d) => d.state === 'sent' && d.attempts === 1)).toBe(true);
    const mail = (await mailbox()).slice(before);
    expect(mail).toHaveLength(50);
    const perDelivery = new Map<string, number>();
    for (const m of mail) perDelivery.set(m.delivery_id, (perDelivery.get(m.delivery_id) ?? 0) + 1);
    expect([...perDelivery.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(rows.map((d) => d.id))).toEqual(new Set(perDelivery.keys()));
    // Per recipient: the five updates, once each, by status.
    for (const email of emails) {
      const subjects = mail.filter((m) => m.to === email).map((m) => m.subject);
      expect(subjects).toHaveLength(5);
      const count = (label: string) => subjects.filter((s) => s === `[Overdue] Settlement stuck: ${label}`).length;
      expect([count('Investigating'), count('Identified'), count('Monitoring'), count('Resolved')]).toEqual([1, 2, 1, 1]);
    }
    for (const m of mail) expect((m.headers as Record<string, string>)['Message-ID']).toBe(`<${m.delivery_id}@overdue>`);
  });

  it('a worker that claims and dies: after the 60 s lease the other instance sends the rows once, with the same ids', async () => {
    const hook = (await created(api, '/api/v1/pages/default/webhooks', { url: receiver.url('/lease') })) as { id: string; secret: string };
    const before = (await mailbox()).length;
    await created(api, '/api/v1/incidents', { name: 'Lease drill', status: 'investigating', impact: 'minor', body: 'Drill.' });
    await b.fanOut();

    // Instance A claims everything due and then never records (it "died" mid-send).
    const claimed = await a.deliveries.claim();
    expect(claimed).toHaveLength(11); // 10 emails + 1 webhook
    expect(claimed.every((d) => d.state === 'sending' && d.attempts === 1)).toBe(true);
    expect(await b.deliveries.tick()).toBe(0);
    await later(30_000);
    expect(await b.deliveries.tick()).toBe(0);
    await later(31_000); // 61 s after the claim: the leases have expired
    expect(await drain(b)).toBe(11);
    expect(await drain(a)).toBe(0);

    const ids = new Set(claimed.map((d) => d.id));
    const mail = (await mailbox()).slice(before);
    expect(mail).toHaveLength(10);
    for (const m of mail) {
      expect(ids.has(m.delivery_id)).toBe(true);
      expect((m.headers as Record<string, string>)['Message-ID']).toBe(`<${m.delivery_id}@overdue>`);
    }
    const webhookRow = claimed.find((d) => d.channel === 'webhook')!;
    const requests = receiver.on('/lease');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers['webhook-id']).toBe(webhookRow.id);
    expect(webhookRow.subscriber_id).toBe(hook.id);
    const states = await t.db
      .selectFrom('deliveries')
      .select(['state', sql<number>`attempts`.as('attempts'), 'lease_until'])
      .where('id', 'in', [...ids])
      .execute();
    expect(states.every((d) => d.state === 'sent' && d.attempts === 2 && d.lease_until === null)).toBe(true);
  });
});
