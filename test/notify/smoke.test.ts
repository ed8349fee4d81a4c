import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { json } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';

describe(`notifications through the local mailbox on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let clock: ManualClock;
  let admin: string;
  const call = async (method: string, path: string, body?: unknown, key: string | null = admin) => {
    const res = await o.app.request(path, { method, headers: { ...(key && { authorization: `Bearer ${key}` }), 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
    return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? await json(res) : await res.text() };
  };
  const pump = async () => {
    await o.fanOut();
    while ((await o.deliveries.tick()) > 0) {
      // until nothing is due
    }
  };
  const mailbox = async () => (await call('GET', '/api/v1/mailbox')).body.data as { to: string; subject: string; text: string; headers: Record<string, string> }[];

  beforeAll(async () => {
    t = await testDatabase();
    clock = new ManualClock('2025-05-19T13:00:00Z');
    o = await drivenOverdue({ database: t, clock });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('subscribe → confirmation mail → confirm → incident mail with one-click unsubscribe → unsubscribe → nothing more', async () => {
    expect((await call('POST', '/api/v1/pages/default/subscribers', { email: 'ops@example.com' }, null)).status).toBe(202);
    await pump();
    let mails = await mailbox();
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Confirm your Overdue status subscription');
    // The API redacts link tokens (they act for the recipient); the recipient's copy has them.
    expect(mails[0]!.text).toContain('/subscriptions/confirm?token=[redacted]');
    const stored = await t.db.selectFrom('mailbox').select('text').orderBy('id', 'desc').executeTakeFirstOrThrow();
    const confirm = /(\/subscriptions\/confirm\?token=\S+)/.exec(stored.text)![1]!;
    expect((await o.app.request(confirm.replace(/^.*?\/subscriptions/, '/subscriptions'))).status).toBe(200);

    const incident = await call('POST', '/api/v1/incidents', { name: 'Invoices for 17 May not generated', status: 'investigating', impact: 'major', body: 'We are looking into it.' });
    expect(incident.status).toBe(201);
    await pump();
    mails = await mailbox();
    expect(mails).toHaveLength(2);
    expect(mails[0]).toMatchObject({ to: 'ops@example.com', subject: '[Overdue] Invoices for 17 May not generated: Investigating' });
    expect(mails[0]!.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(mails[0]!.headers['List-Unsubscribe']).toMatch(/token=\[redacted\]>$/);
    expect(JSON.stringify(mails)).not.toMatch(/token=(?!\[redacted\])/);
    const headers = (await t.db.selectFrom('mailbox').select('headers').orderBy('id', 'desc').executeTakeFirstOrThrow()).headers as Record<string, string>;
    const unsubscribe = /<([^>]+)>/.exec(headers['List-Unsubscribe']!)![1]!;
    expect((await o.app.request(unsubscribe.replace(/^.*?\/subscriptions/, '/subscriptions'), { method: 'POST' })).status).toBe(200);

    await call('POST', `/api/v1/incidents/${incident.body.id}/updates`, { status: 'resolved', body: 'Fixed.' });
    await pump();
    expect(await mailbox()).toHaveLength(2);
  });

  it('billing notices reach the account address once', async () => {
    const tenant = (await call('POST', '/api/v1/tenants', { slug: 'hostco', name: 'HostCo', timezone: 'UTC', currency: 'USD' })).body;
    const account = (await call('POST', '/api/v1/accounts', { name: 'Jo', email: 'jo@example.com' }, tenant.api_key)).body;
    await call('POST', '/api/v1/subscriptions', { account_id: account.id, description: 'Plan', amount: 500, interval: 'month', anchor: '2025-05-19' }, tenant.api_key);
    await call('POST', '/api/v1/invoice-runs', { slot: '2025-05-19T02:00:00Z' }, tenant.api_key);
    await pump();
    await pump();
    const mine = (await mailbox()).filter((m) => m.to === 'jo@example.com');
    expect(mine.map((m) => m.subject)).toEqual([expect.stringMatching(/^Your balance does not cover invoice /)]);
    expect((await t.db.selectFrom('notices').select('status').execute()).map((n) => n.status)).toEqual(['sent']);
    // The top-up pays it: a receipt follows, once.
    await call('POST', `/api/v1/accounts/${account.id}/top-ups`, { amount: 500, reference: 'bank-1' }, tenant.api_key);
    await pump();
    await pump();
    const after = (await mailbox()).filter((m) => m.to === 'jo@example.com').map((m) => m.subject);
    expect(after).toEqual([expect.stringMatching(/^Receipt for invoice /), expect.stringMatching(/^Your balance does not cover invoice /)]);
  });

  it("the status page's form (no JavaScript) subscribes and gets a page back", async () => {
    const res = await o.app.request('/api/v1/pages/default/subscribers', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=form%40example.com' });
    expect(res.status).toBe(202);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('Check your inbox');
    const row = await t.db.selectFrom('subscribers').select(['email', 'confirmed_at']).where('email', '=', 'form@example.com').executeTakeFirstOrThrow();
    expect(row.confirmed_at).toBeNull();
  });

  // Issue 17: any admin key, read-only included, read every mail with its confirm and unsubscribe tokens.
  it('the mailbox needs a full admin key: read-only admin and tenant keys get 403', async () => {
    const readOnlyAdmin = await insertApiKey(t.db, { kind: 'admin', readOnly: true }, clock.now());
    const tenant = (await call('POST', '/api/v1/tenants', { slug: 'mailco', name: 'MailCo', timezone: 'UTC', currency: 'USD' })).body;
    for (const key of [readOnlyAdmin, tenant.api_key]) expect((await call('GET', '/api/v1/mailbox', undefined, key)).status).toBe(403);
    expect((await call('GET', '/api/v1/mailbox')).status).toBe(200);
  });
});
