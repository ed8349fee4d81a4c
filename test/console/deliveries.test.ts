import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { consoleClient } from '../support/console.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { apiClient, created, type Api } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';
import { newTenant } from '../support/tenants.js';
import { TestReceiver } from '../notify/servers.js';

/**
 * The console's deliveries (the admin key's, like GET /api/v1/deliveries):
 * by state, newest first, paginated; "Retry" on a dead one queues it again
 * through notify's service and the worker then sends it. Read-only, CSRF and
 * tenant keys refused.
 */
describe(`console deliveries on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let clock: ManualClock;
  let api: Api;
  let admin: string;
  let readOnlyAdmin: string;
  let tenantKey: string;
  let deadId: string;
  let deadSubscriber: string;
  const receiver = new TestReceiver();
  const stateOf = async (id: string) => (await t.db.selectFrom('deliveries').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;
  const pump = async () => {
    await o.fanOut();
    while ((await o.deliveries.tick()) > 0) {
      // until nothing is due
    }
  };
  const rowsOf = (html: string) => [...html.matchAll(/<tr><td><time datetime="[^"]+" data-local="">[^<]+<\/time><\/td><td>([a-z]+)<\/td><td>([a-z]+) <span class="mono">([^<]+)<\/span><\/td><td><span class="state [^"]*"><span aria-hidden="true">.<\/span> ([a-z]+)<\/span>/g)].map((m) => ({ channel: m[1], kind: m[2], recipient: m[3], state: m[4] }));

  beforeAll(async () => {
    await receiver.start();
    t = await testDatabase();
    clock = new ManualClock(new Date('2026-12-01T10:00:00Z'));
    o = await drivenOverdue({ database: t, clock, env: { WEBHOOK_ALLOW_PRIVATE: '127.0.0.1' } });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    readOnlyAdmin = await insertApiKey(t.db, { kind: 'admin', readOnly: true }, clock.now());
    api = apiClient(o, () => admin);
    tenantKey = (await newTenant(api, 'acme')).api_key;
    await created(api, '/api/v1/pages', { slug: 'ops', name: 'Ops' });
    const dead = await created(api, '/api/v1/pages/ops/webhooks', { url: receiver.url('/dead-end') });
    receiver.answers.set('/dead-end', () => 500);
    for (let i = 0; i < 55; i++) await created(api, '/api/v1/pages/ops/webhooks', { url: receiver.url(`/fine-${i}`) });
    await created(api, '/api/v1/incidents', { page: 'ops', name: 'Ops failing', status: 'investigating', impact: 'major', body: 'Looking into it.' });
    await o.fanOut();
    const row = await t.db.selectFrom('deliveries').select(['id', 'created_at']).where('subscriber_id', '=', dead.id).executeTakeFirstOrThrow();
    deadId = row.id;
    deadSubscriber = dead.id;
    // First attempted near the end of its 3 days (the worker was away): the one failure makes it dead.
    await clock.jump(new Date(row.created_at.getTime() + 3 * 86_400_000 - 30_000));
    await pump();
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
    await receiver.stop();
  });

  it('lists deliveries by state, newest first, 50 to a page; the overview counts the dead one', async () => {
    const c = consoleClient(o);
    await c.signIn(admin);
    const overview = await c.request('GET', '/console');
    expect(overview.text).toMatch(/<a href="\/console\/deliveries\?state=dead"><b>1<\/b> dead deliveries<\/a>/);
    const all = await c.request('GET', '/console/deliveries');
    expect(all.status).toBe(200);
    expect(all.text).toContain('<h1>Deliveries</h1>');
    expect(all.text).toContain('>all (56)<');
    expect(all.text).toContain('>dead (1)<');
    expect(all.text).toContain('>sent (55)<');
    const first = rowsOf(all.text);
    expect(first).toHaveLength(50);
    const next = /<a href="([^"]+)" rel="next">Next page<\/a>/.exec(all.text)![1]!.replaceAll('&amp;', '&');
    const second = rowsOf((await c.request('GET', next)).text);
    expect(second).toHaveLength(6);
    expect(new Set([...first, ...second].map((r) => r.recipient)).size).toBe(56);
    expect([...first, ...second].every((r) => r.channel === 'webhook' && r.kind === 'subscriber')).toBe(true);

    const dead = await c.request('GET', '/console/deliveries?state=dead');
    expect(dead.text).toContain('<h1>Deliveries: dead</h1>');
    expect(rowsOf(dead.text)).toEqual([{ channel: 'webhook', kind: 'subscriber', recipient: deadSubscriber, state: 'dead' }]);
    expect(dead.text).toContain('<td>1</td><td><code>answered 500</code></td>');
    expect(dead.text).toContain(`action="/console/deliveries/${deadId}/retry"`);
    expect(rowsOf((await c.request('GET', '/console/deliveries?state=sent')).text).every((r) => r.state === 'sent')).toBe(true);
  });

  it('a read-only key sees no Retry and gets 403; a POST without the CSRF token is 403; a tenant key gets no page', async () => {
    const ro = consoleClient(o);
    await ro.signIn(readOnlyAdmin);
    const page = await ro.request('GET', '/console/deliveries?state=dead');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Retry');
    expect((await ro.request('POST', `/console/deliveries/${deadId}/retry`, { csrf: ro.csrf(page.text) })).status).toBe(403);
    const c = consoleClient(o);
    await c.signIn(admin);
    expect((await c.request('POST', `/console/deliveries/${deadId}/retry`, {})).status).toBe(403);
    expect(await stateOf(deadId)).toBe('dead');

    const tenant = consoleClient(o);
    await tenant.signIn(tenantKey);
    expect((await tenant.request('GET', '/console')).text).not.toContain('/console/deliveries');
    expect((await tenant.request('GET', '/console/deliveries')).status).toBe(403);
  });

  it('"Retry" queues the dead delivery again and the worker sends it', async () => {
    const c = consoleClient(o);
    await c.signIn(admin);
    const page = await c.request('GET', '/console/deliveries?state=dead');
    receiver.answers.set('/dead-end', () => 200);
    const retried = await c.request('POST', `/console/deliveries/${deadId}/retry`, { csrf: c.csrf(page.text) });
    expect(retried.status).toBe(200);
    expect(retried.text).toContain(`Delivery ${deadId} queued again`);
    expect(retried.text).toContain('<h1>Deliveries: pending</h1>');
    expect(await stateOf(deadId)).toBe('pending');
    await pump();
    expect(await stateOf(deadId)).toBe('sent');
    expect(receiver.on('/dead-end')).toHaveLength(2);
    // Sent now: nothing to retry.
    expect((await c.request('POST', `/console/deliveries/${deadId}/retry`, { csrf: c.csrf(page.text) })).status).toBe(404);
    expect((await c.request('POST', '/console/deliveries/not-a-uuid/retry', { csrf: c.csrf(page.text) })).status).toBe(404);
  });
});
