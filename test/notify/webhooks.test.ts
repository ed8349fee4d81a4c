import { Webhook } from 'standardwebhooks';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, created, type Api } from '../support/http.js';
import { drivenOverdue, metricValue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { TestReceiver, type WebhookRequest } from './servers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Webhook subscribers against a real HTTP receiver on loopback (allowed with
 * WEBHOOK_ALLOW_PRIVATE). The clock starts at real now so that the
 * standardwebhooks package (±5 min against real time) can verify the first
 * requests; after the clock has moved, signatures are checked with the
 * package's own signer at the request's timestamp.
 */
describe(`webhook notifications on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let clock: ManualClock;
  let admin: string;
  let api: Api;
  const receiver = new TestReceiver();

  const pump = async () => {
    await o.fanOut();
    while ((await o.deliveries.tick()) > 0) {
      // until nothing is due
    }
  };
  const later = (ms: number) => clock.jump(new Date(clock.now().getTime() + ms));
  const page = async (slug: string) => (await created(api, '/api/v1/pages', { slug, name: `Page ${slug}` })) as { id: string; slug: string };
  const hook = async (slug: string, path: string) => (await created(api, `/api/v1/pages/${slug}/webhooks`, { url: receiver.url(path) })) as { id: string; secret: string };
  const incident = async (slug: string, name: string, components: Record<string, string> = {}, impact = 'major') =>
    (await created(api, '/api/v1/incidents', { page: slug, name, status: 'investigating', impact, body: 'Looking into it.', components })).id as string;
  /** The signature as the standardwebhooks package computes it for this request's id and timestamp. */
  const signedBy = (secret: string, r: WebhookRequest) => {
    const expected = new Webhook(secret).sign(String(r.headers['webhook-id']), new Date(Number(r.headers['webhook-timestamp']) * 1000), r.raw);
    return String(r.headers['webhook-signature']).split(' ').includes(expected);
  };
  const deliveriesOf = (subscriberId: string) => t.db.selectFrom('deliveries').selectAll().where('subscriber_id', '=', subscriberId).orderBy('created_at').execute();

  beforeAll(async () => {
    await receiver.start();
    t = await testDatabase();
    clock = new ManualClock(new Date());
    o = await drivenOverdue({ database: t, clock, env: { WEBHOOK_ALLOW_PRIVATE: '127.0.0.1' } });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
    await receiver.stop();
  });

  it('subscribing returns a whsec_ secret once; private targets need the allow-list; metadata and non-http targets are refused', async () => {
    await page('hooks');
    const res = await api('POST', '/api/v1/pages/hooks/webhooks', { url: receiver.url('/first') });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.stringMatching(UUID), url: receiver.url('/first'), components: [] });
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(res.body.secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
    expect((await api('POST', '/api/v1/pages/hooks/webhooks', { url: receiver.url('/first') }, null)).status).toBe(401);

    const count = async () => Number((await t.db.selectFrom('subscribers').select(sql<string>`count(*)`.as('n')).where('channel', '=', 'webhook').executeTakeFirstOrThrow()).n);
    const stored = await count();
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'ftp://example.com/hook', 'http://10.1.2.3/hook', 'http://[::1]:8080/hook', 'http://user:pw@example.com/hook', 'not a url']) {
      const refused = await api('POST', '/api/v1/pages/hooks/webhooks', { url });
      expect(refused.status, url).toBe(400);
      expect(refused.body.secret).toBeUndefined();
    }
    // A second instance on the same database without WEBHOOK_ALLOW_PRIVATE refuses loopback.
    const strict = await drivenOverdue({ database: t.another(), clock });
    try {
      const strictApi = apiClient(strict, () => admin);
      for (const url of [receiver.url('/strict'), `http://localhost:${receiver.port}/strict`]) {
        const refused = await strictApi('POST', '/api/v1/pages/hooks/webhooks', { url });
        expect(refused.status, url).toBe(400);
        expect(refused.body.error.message).toMatch(/non-public address/);
      }
    } finally {
      await strict.stop();
    }
    expect(await count()).toBe(stored);
  });

  it('incident.created and component.updated arrive signed (verified by standardwebhooks) in Statuspage shapes', async () => {
    const p = await page('signed');
    const component = await created(api, '/api/v1/components', { page: 'signed', name: 'Invoices' });
    const sub = await hook('signed', '/signed');
    const id = await incident('signed', 'Invoices late', { [component.id]: 'partial_outage' });
    await pump();
    const got = receiver.on('/signed');
    expect(got.map((r) => r.body?.type).sort()).toEqual(['component.updated', 'incident.created']);
    const rows = await deliveriesOf(sub.id);
    for (const r of got) {
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(rows.map((d) => d.id)).toContain(r.headers['webhook-id']);
      expect(r.headers['webhook-timestamp']).toBe(String(Math.floor(clock.now().getTime() / 1000)));
      // The independent verifier, over the raw body; a changed byte fails.
      const verified = new Webhook(sub.secret).verify(r.raw, r.headers as Record<string, string>);
      expect(verified).toEqual(r.body);
      expect(() => new Webhook(sub.secret).verify(r.raw.replace('"data"', '"data" '), r.headers as Record<string, string>)).toThrow();
      expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(r.raw, r.headers as Record<string, string>)).toThrow();
    }

    const created_ = got.find((r) => r.body.type === 'incident.created')!.body;
    expect(created_.timestamp).toBe(clock.now().toISOString());
    expect(created_.data.meta).toMatchObject({ unsubscribe: expect.stringMatching(/^https?:\/\/\S+\/subscriptions\/unsubscribe\?token=\S+$/), generated_at: clock.now().toISOString() });
    const status = JSON.parse(await (await o.app.request('/s/signed/api/v2/status.json')).text());
    expect(created_.data.page).toEqual({ id: p.id, status_indicator: status.status.indicator, status_description: status.status.description });
    // The API also says whether it is public (draft, published_at, publish_at, automatic); webhooks carry the public shape only.
    const { automatic: _automatic, draft, published_at: _publishedAt, publish_at: _publishAt, ...viaApi } = (await api('GET', `/api/v1/incidents/${id}`)).body;
    expect(draft).toBe(false);
    expect(created_.data.incident).not.toHaveProperty('draft');
    // The public incident, plus Statuspage's webhook-only keys.
    expect(created_.data.incident).toMatchObject({ ...viaApi, incident_updates: viaApi.incident_updates.map((u: object) => ({ ...u, wants_twitter_update: false, twitter_updated_at: null })) });
    expect(created_.data.incident).toMatchObject({ impact_override: null, postmortem_body: null, backfilled: false, scheduled_for: null, scheduled_until: null, scheduled_reminded_at: null });
    expect(created_.data.incident).toMatchObject({ id, name: 'Invoices late', status: 'investigating', impact: 'major', incident_updates: [{ status: 'investigating', body: 'Looking into it.' }], components: [{ id: component.id, status: 'partial_outage' }] });
    expect(created_.data.incident.incident_updates[0].affected_components).toEqual([expect.objectContaining({ code: component.id, old_status: 'operational', new_status: 'partial_outage' })]);
    expect(created_.data.component).toBeUndefined();

    const changed = got.find((r) => r.body.type === 'component.updated')!.body;
    expect(changed.data.component).toMatchObject({ id: component.id, name: 'Invoices', status: 'partial_outage', page_id: p.id });
    expect(changed.data.incident).toBeUndefined();
    expect(changed.data.component_update).toMatchObject({ component_id: component.id, component_type: 'Component', old_status: 'operational', new_status: 'partial_outage' });
    expect(changed.data.page.id).toBe(p.id);

    // The meta.unsubscribe link works for webhooks too: later events are not sent.
    const unsubscribe = String(created_.data.meta.unsubscribe).replace(/^https?:\/\/[^/]+/, '');
    expect((await o.app.request(unsubscribe, { method: 'POST' })).status).toBe(200);
    await api('POST', `/api/v1/incidents/${id}/updates`, { status: 'resolved', body: 'Fixed.' });
    await pump();
    expect(receiver.on('/signed')).toHaveLength(2);
  });

  it("page.status_indicator in a webhook is the page's status (as status.json says), counting open incidents' impact", async () => {
    await page('impact');
    await created(api, '/api/v1/components', { page: 'impact', name: 'Ledger' }); // stays operational
    await hook('impact', '/impact');
    await incident('impact', 'Everything is slow', {}, 'critical');
    await pump();
    const status = JSON.parse(await (await o.app.request('/s/impact/api/v2/status.json')).text()).status;
    expect(status.indicator).toBe('critical');
    const [r] = receiver.on('/impact');
    expect(r!.body.data.page).toMatchObject({ status_indicator: status.indicator, status_description: status.description });
  });

  it('500 then 200: the retry carries the same webhook-id; 3xx is a failure and not followed; Retry-After is honoured; 410 disables the subscriber', async () => {
    await page('flaky');
    const flaky = await hook('flaky', '/flaky');
    const moved = await hook('flaky', '/moved');
    const gone = await hook('flaky', '/gone');
    const busy = await hook('flaky', '/busy');
    receiver.answers.set('/busy', () => ({ status: 503, headers: { 'retry-after': '600' } }));
    receiver.answers.set('/flaky', (n) => (n === 1 ? 500 : 200));
    receiver.answers.set('/moved', () => ({ status: 302, headers: { location: receiver.url('/landing') } }));
    receiver.answers.set('/gone', () => 410);
    const id = await incident('flaky', 'Receivers misbehave');
    await pump();
    expect([receiver.on('/flaky').length, receiver.on('/moved').length, receiver.on('/gone').length]).toEqual([1, 1, 1]);
    const [f1] = await deliveriesOf(flaky.id);
    expect(f1).toMatchObject({ state: 'failed', attempts: 1, last_error: 'answered 500' });
    expect((await deliveriesOf(moved.id))[0]).toMatchObject({ state: 'failed', last_error: 'answered 302' });
    expect((await deliveriesOf(gone.id))[0]).toMatchObject({ state: 'skipped' });
    const [busyRow] = await deliveriesOf(busy.id);
    expect(busyRow).toMatchObject({ state: 'failed', last_error: 'answered 503' });
    expect(busyRow!.next_attempt_at.getTime() - clock.now().getTime()).toBeGreaterThanOrEqual(600_000);
    const goneRow = await t.db.selectFrom('subscribers').selectAll().where('id', '=', gone.id).executeTakeFirstOrThrow();
    expect(goneRow.unsubscribed_at).toEqual(clock.now());

    await later(90_000); // past the first retry (1 min ± 20 %)
    await pump();
    const [first, second] = receiver.on('/flaky');
    expect(second).toBeDefined();
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(second!.headers['webhook-id']).toBe(f1!.id);
    expect(Number(second!.headers['webhook-timestamp'])).toBeGreaterThan(Number(first!.headers['webhook-timestamp']));
    expect(signedBy(flaky.secret, first!) && signedBy(flaky.secret, second!)).toBe(true);
    expect(second!.raw).not.toBe(first!.raw); // the body's timestamp is this attempt's
    expect(second!.body.data).toEqual(first!.body.data);
    expect((await deliveriesOf(flaky.id))[0]).toMatchObject({ state: 'sent', attempts: 2 });
    expect(receiver.on('/moved')).toHaveLength(2);
    expect(receiver.on('/landing')).toHaveLength(0);
    expect(receiver.on('/busy')).toHaveLength(1); // not before its Retry-After

    await api('POST', `/api/v1/incidents/${id}/updates`, { status: 'resolved', body: 'Fixed.' });
    await pump();
    expect(receiver.on('/flaky')).toHaveLength(3);
    expect(receiver.on('/gone')).toHaveLength(1);
    expect(await deliveriesOf(gone.id)).toHaveLength(1);
  });

  it('a receiver that never answers for 24 h in a row is quarantined: its queue skipped, no more requests; others unaffected', async () => {
    await page('dead-end');
    const bad = await hook('dead-end', '/dead-end');
    await hook('dead-end', '/healthy');
    receiver.answers.set('/dead-end', () => 'reset');
    const id = await incident('dead-end', 'Receiver unreachable');
    await pump();
    const since = (await t.db.selectFrom('subscribers').select('failing_since').where('id', '=', bad.id).executeTakeFirstOrThrow()).failing_since!;
    expect(since).toEqual(clock.now());
    await later(10 * 60_000);
    await api('POST', `/api/v1/incidents/${id}/updates`, { status: 'identified', body: 'Still on it.' });
    await pump();

    let quarantinedAt: Date | null = null;
    let requestsAtQuarantine = 0;
    for (let i = 0; i < 30 && !quarantinedAt; i++) {
      const due = await t.db.selectFrom('deliveries').select('next_attempt_at').where('subscriber_id', '=', bad.id).where('state', 'in', ['pending', 'failed']).orderBy('next_attempt_at').executeTakeFirst();
      if (!due) break;
      await clock.jump(new Date(due.next_attempt_at.getTime() + 1000));
      await pump();
      quarantinedAt = (await t.db.selectFrom('subscribers').select('quarantined_at').where('id', '=', bad.id).executeTakeFirstOrThrow()).quarantined_at;
      requestsAtQuarantine = receiver.on('/dead-end').length;
    }
    expect(quarantinedAt).not.toBeNull();
    expect(quarantinedAt!.getTime() - since.getTime()).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(quarantinedAt!.getTime() - since.getTime()).toBeLessThan(48 * 3_600_000);
    const rows = await deliveriesOf(bad.id);
    expect(rows).toHaveLength(2);
    // Every row of the quarantined subscriber is skipped, including the one whose failure tripped it
    // (soft: the rest of the test still shows that no request follows either way).
    expect.soft(rows.map((d) => ({ state: d.state, last_error: d.last_error }))).toEqual([
      { state: 'skipped', last_error: expect.stringMatching(/quarantined/) },
      { state: 'skipped', last_error: expect.stringMatching(/quarantined/) },
    ]);

    await api('POST', `/api/v1/incidents/${id}/updates`, { status: 'resolved', body: 'Fixed.' });
    await pump();
    await later(3 * 86_400_000);
    await pump();
    expect(receiver.on('/dead-end')).toHaveLength(requestsAtQuarantine);
    expect((await deliveriesOf(bad.id)).map((d) => d.state)).toEqual(['skipped', 'skipped']);
    expect(receiver.on('/healthy').map((r) => r.body.type)).toEqual(['incident.created', 'incident.updated', 'incident.resolved']);
  });

  it('GET /api/v1/deliveries lists failed and dead ones; POST …/retry requeues a dead one, sent with the same webhook-id', async () => {
    await page('ops');
    const failing = await hook('ops', '/ops-failing');
    receiver.answers.set('/ops-failing', () => 500);
    await incident('ops', 'Ops failing');
    await pump();
    const [failed] = await deliveriesOf(failing.id);
    const listed = await api('GET', '/api/v1/deliveries?state=failed');
    expect(listed.status).toBe(200);
    expect(listed.body.data).toContainEqual(expect.objectContaining({ id: failed!.id, state: 'failed', attempts: 1, last_error: 'answered 500', channel: 'webhook', subscriber_id: failing.id }));
    expect((await api('GET', '/api/v1/deliveries?state=bogus')).status).toBe(400);
    expect((await api('GET', '/api/v1/deliveries', undefined, null)).status).toBe(401);

    // First attempted only near the end of the 3 days (the worker was away): the failure makes it dead.
    await page('late');
    const late = await hook('late', '/late');
    receiver.answers.set('/late', () => 500);
    await incident('late', 'Late delivery');
    await o.fanOut();
    const [row] = await deliveriesOf(late.id);
    await clock.jump(new Date(row!.created_at.getTime() + 3 * 86_400_000 - 30_000));
    await pump();
    expect((await deliveriesOf(late.id))[0]).toMatchObject({ state: 'dead', attempts: 1, last_error: 'answered 500' });
    const dead = (await api('GET', '/api/v1/deliveries?state=dead')).body.data;
    expect(dead.map((d: { id: string }) => d.id)).toContain(row!.id);
    expect(dead.every((d: { state: string }) => d.state === 'dead')).toBe(true);
    expect(await metricValue(o.metricReader, 'overdue_deliveries_dead_total', { channel: 'webhook' })).toBeGreaterThanOrEqual(1);

    receiver.answers.set('/late', () => 200);
    const retried = await api('POST', `/api/v1/deliveries/${row!.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({ id: row!.id, state: 'pending' });
    await pump();
    const requests = receiver.on('/late');
    expect(requests).toHaveLength(2);
    expect(requests.map((r) => r.headers['webhook-id'])).toEqual([row!.id, row!.id]);
    expect(signedBy(late.secret, requests[1]!)).toBe(true);
    expect((await deliveriesOf(late.id))[0]).toMatchObject({ state: 'sent', attempts: 2 });
    expect((await api('POST', `/api/v1/deliveries/${row!.id}/retry`)).status).toBe(404);
  });
});
