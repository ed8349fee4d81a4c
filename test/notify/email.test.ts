import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listen } from '../../src/http/server.js';
import { apiClient, created, type Api } from '../support/http.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { TestSmtp } from './servers.js';

/** Status page mail through a real SMTP server (smtp-server + mailparser), the service configured with SMTP_URL. */
describe(`notification email over SMTP on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let clock: ManualClock;
  let admin: string;
  let api: Api;
  const smtp = new TestSmtp();

  const pump = async () => {
    await o.fanOut();
    while ((await o.deliveries.tick()) > 0) {
      // until nothing is due
    }
  };
  const pathOf = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');
  const subscribe = (email: string, components?: string[]) => api('POST', '/api/v1/pages/default/subscribers', { email, ...(components && { components }) }, null);
  const subjectsTo = (address: string) => smtp.to(address).map((r) => r.mail.subject);
  /** Subscribes, follows the confirmation link from the mail that arrived over SMTP. */
  const confirmed = async (email: string, components?: string[]) => {
    expect((await subscribe(email, components)).status).toBe(202);
    await pump();
    const mail = smtp.to(email).at(-1)!;
    expect(mail.mail.subject).toBe('Confirm your Overdue status subscription');
    const link = /(https?:\/\/\S+\/subscriptions\/confirm\?token=\S+)/.exec(mail.mail.text ?? '')![1]!;
    expect((await o.app.request(pathOf(link))).status).toBe(200);
  };
  const incident = async (name: string, components: Record<string, string> = {}) => (await created(api, '/api/v1/incidents', { name, status: 'investigating', impact: 'major', body: `${name}: looking into it.`, components })).id as string;
  const update = async (id: string, status: string) => expect((await api('POST', `/api/v1/incidents/${id}/updates`, { status, body: `Now ${status}.` })).status).toBe(201);

  beforeAll(async () => {
    await smtp.start();
    t = await testDatabase();
    clock = new ManualClock('2025-06-02T06:00:00Z');
    o = await drivenOverdue({ database: t, clock, env: { SMTP_URL: smtp.url, MAIL_FROM: 'Status <status@example.com>' } });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
    await smtp.stop();
  });
  // Each test starts two hours later: the per-address and per-client subscribe limits are per hour.
  beforeEach(async () => clock.jump(new Date(clock.now().getTime() + 2 * 3_600_000)));

  it('an incident lifecycle reaches each confirmed subscriber once per update, by component; one-click unsubscribe stops it', async () => {
    const a = (await created(api, '/api/v1/components', { name: 'API' })).id as string;
    const b = (await created(api, '/api/v1/components', { name: 'Billing' })).id as string;
    await confirmed('only-a@example.com', [a]);
    await confirmed('only-b@example.com', [b]);
    await confirmed('everything@example.com');
    await confirmed('leaver@example.com');
    expect((await subscribe('never-confirmed@example.com')).status).toBe(202);
    await pump();
    const before = smtp.received.length;

    const x = await incident('API errors', { [a]: 'major_outage' });
    await pump();
    const first = smtp.received.slice(before);
    expect(first.map((r) => r.rcptTo).sort()).toEqual([['everything@example.com'], ['leaver@example.com'], ['only-a@example.com']]);

    // Every subscriber message: both parts, RFC 8058 headers, Message-ID = the delivery id.
    const sent = await t.db.selectFrom('deliveries').select(['id', 'recipient', 'payload', 'state']).where('event_key', 'like', 'event:%').execute();
    for (const r of first) {
      expect(r.from).toBe('status@example.com');
      expect(r.mail.subject).toBe('[Overdue] API errors: Investigating');
      expect(r.mail.text).toContain('API errors: looking into it.');
      expect(r.mail.html).toEqual(expect.stringContaining('<a href="'));
      expect(TestSmtp.header(r, 'List-Unsubscribe')).toMatch(/^<https?:\/\/[^\s>]+\/subscriptions\/unsubscribe\?token=[^\s>]+>$/);
      expect(TestSmtp.header(r, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      const id = /^<([0-9a-f-]{36})@overdue>$/.exec(r.mail.messageId ?? '')?.[1];
      const row = sent.find((d) => d.id === id);
      expect(row, `Message-ID ${r.mail.messageId}`).toMatchObject({ state: 'sent', payload: { to: r.rcptTo[0] } });
    }

    // One-click unsubscribe (RFC 8058): POST to the List-Unsubscribe URL with the one-click body.
    const leaverMail = first.find((r) => r.rcptTo[0] === 'leaver@example.com')!;
    const url = /^<([^>]+)>$/.exec(TestSmtp.header(leaverMail, 'List-Unsubscribe')!)![1]!;
    const res = await o.app.request(pathOf(url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(res.status).toBe(200);

    await update(x, 'identified');
    await pump();
    await update(x, 'resolved');
    await pump();
    const y = await incident('Billing delays', { [b]: 'degraded_performance' });
    await pump();
    await update(y, 'resolved');
    await pump();

    const lifecycleX = ['[Overdue] API errors: Investigating', '[Overdue] API errors: Identified', '[Overdue] API errors: Resolved'];
    const lifecycleY = ['[Overdue] Billing delays: Investigating', '[Overdue] Billing delays: Resolved'];
    const incidentMail = (address: string) => subjectsTo(address).filter((s) => s?.startsWith('[Overdue] '));
    expect(incidentMail('only-a@example.com')).toEqual(lifecycleX);
    expect(incidentMail('only-b@example.com')).toEqual(lifecycleY);
    expect(incidentMail('everything@example.com')).toEqual([...lifecycleX, ...lifecycleY]);
    expect(incidentMail('leaver@example.com')).toEqual(lifecycleX.slice(0, 1));
    expect(subjectsTo('never-confirmed@example.com')).toEqual(['Confirm your Overdue status subscription']);
    // Exactly one recipient per message, and nothing to anyone else.
    expect(smtp.received.every((r) => r.rcptTo.length === 1 && r.mail.to && !Array.isArray(r.mail.to) && r.mail.to.value.length === 1)).toBe(true);
  });

  it('SMTP down: deliveries fail with an error and a retry ~1 min later; back up, every mail arrives once', async () => {
    for (const e of ['d1@example.com', 'd2@example.com', 'd3@example.com']) await confirmed(e);
    await smtp.stop();
    const start = clock.now();
    const id = await incident('Mail outage drill');
    await o.fanOut();
    expect(await o.deliveries.tick()).toBeGreaterThanOrEqual(3);
    expect(await o.deliveries.tick()).toBe(0); // nothing due until the retry time
    const failed = await t.db.selectFrom('deliveries').selectAll().where('state', '=', 'failed').execute();
    const mine = failed.filter((d) => ['d1@example.com', 'd2@example.com', 'd3@example.com'].includes((d.payload as { to: string }).to));
    expect(mine).toHaveLength(3);
    for (const d of mine) {
      expect(d.attempts).toBe(1);
      expect(d.last_error).toBeTruthy();
      const delay = d.next_attempt_at.getTime() - start.getTime();
      expect(delay).toBeGreaterThanOrEqual(48_000);
      expect(delay).toBeLessThanOrEqual(72_000);
    }
    // A second update while still down.
    await update(id, 'identified');
    await o.fanOut();
    await o.deliveries.tick();

    await smtp.start(); // the same port
    await clock.jump(new Date(clock.now().getTime() + 2 * 60_000));
    await pump();
    await clock.jump(new Date(clock.now().getTime() + 3_600_000));
    await pump();
    for (const e of ['d1@example.com', 'd2@example.com', 'd3@example.com']) {
      expect(subjectsTo(e).filter((s) => s?.includes('Mail outage drill')).sort()).toEqual(['[Overdue] Mail outage drill: Identified', '[Overdue] Mail outage drill: Investigating']);
    }
    expect(await t.db.selectFrom('deliveries').select('id').where('state', 'not in', ['sent', 'skipped']).execute()).toEqual([]);
  });

  it('header injection through an incident name is inert: no Bcc header, no extra recipient', async () => {
    await confirmed('target@example.com');
    const refused = await api('POST', '/api/v1/incidents', { name: 'Outage\r\nBcc: evil@example.com', status: 'investigating', body: 'x' });
    expect(refused.status).toBe(400);
    // A name that reached the database another way (e.g. a signal summary), and a body with line breaks.
    const before = smtp.received.length;
    const id = (await created(api, '/api/v1/incidents', { name: 'placeholder', status: 'investigating', body: 'Line one\r\nBcc: evil2@example.com\r\n\r\nLine two' })).id as string;
    await t.db.updateTable('incidents').set({ name: 'Payroll late\r\nBcc: evil@example.com\nCc: evil3@example.com' }).where('id', '=', id).execute();
    await pump();
    const mails = smtp.received.slice(before);
    expect(mails.length).toBeGreaterThan(0);
    expect(mails.map((r) => r.rcptTo[0])).toContain('target@example.com');
    for (const r of mails) {
      expect(r.mail.subject).toBe('[Overdue] Payroll late Bcc: evil@example.com Cc: evil3@example.com: Investigating');
      expect(r.mail.bcc).toBeUndefined();
      expect(r.mail.cc).toBeUndefined();
      expect(r.mail.headers.has('bcc')).toBe(false);
      const head = r.raw.split(/\r?\n\r?\n/)[0]!; // the top-level header block; the parts' bodies may quote the name
      expect(head).not.toMatch(/^(bcc|cc):/im);
      expect(head.split(/\r?\n/)).toContain(`To: ${r.rcptTo[0]}`);
      expect(r.rcptTo).toHaveLength(1);
    }
    expect(smtp.rcptTo.filter((a) => /evil/i.test(a))).toEqual([]);
  });

  it('a billing notice reaches the account address once, with its subject', async () => {
    const tenant = await created(api, '/api/v1/tenants', { slug: 'mailco', name: 'MailCo', timezone: 'UTC', currency: 'USD' });
    const account = await created(api, '/api/v1/accounts', { name: 'Jo', email: 'jo@example.com' }, tenant.api_key);
    const day = clock.now().toISOString().slice(0, 10);
    await created(api, '/api/v1/subscriptions', { account_id: account.id, description: 'Plan', amount: 500, interval: 'month', anchor: day, auto_renew: true }, tenant.api_key);
    const slot = new Date(Math.floor(clock.now().getTime() / 3_600_000) * 3_600_000).toISOString();
    const run = await api('POST', '/api/v1/invoice-runs', { slot }, tenant.api_key);
    expect(run.status).toBe(200);
    expect(run.body.notices).toBe(1);
    const invoices = (await api('GET', `/api/v1/invoices?account=${account.id}`, undefined, tenant.api_key)).body.data;
    expect(invoices).toHaveLength(1);
    await pump();
    await pump();
    await clock.jump(new Date(clock.now().getTime() + 3_600_000));
    await pump();
    const mine = smtp.to('jo@example.com');
    expect(mine.map((r) => r.mail.subject)).toEqual([`Your balance does not cover invoice ${String(invoices[0].id).slice(0, 8)}`]);
    expect(mine[0]!.mail.text).toContain('Hello Jo,');
    expect(mine[0]!.mail.html).toContain('<p>');
    const delivery = await t.db.selectFrom('deliveries').select(['id', 'state']).where('recipient', '=', 'email:jo@example.com').executeTakeFirstOrThrow();
    expect(mine[0]!.mail.messageId).toBe(`<${delivery.id}@overdue>`);
    expect(delivery.state).toBe('sent');
    expect((await t.db.selectFrom('notices').select('status').where('account_id', '=', account.id).execute()).map((n) => n.status)).toEqual(['sent']);
  });

  it('subscribe: the same 202 for new and known addresses; a known address gets a manage mail; the 4th request in an hour is 429', async () => {
    await confirmed('known@example.com'); // request 1
    await clock.jump(new Date(clock.now().getTime() + 1000));
    const fresh = await subscribe('fresh@example.com');
    const known = await subscribe('known@example.com'); // request 2
    expect(fresh.status).toBe(202);
    expect(known.status).toBe(202);
    expect(known.text).toBe(fresh.text);
    await pump();
    const last = smtp.to('known@example.com').at(-1)!;
    expect(last.mail.subject).toBe('Your Overdue status subscription');
    expect(last.mail.text).not.toContain('/subscriptions/confirm');
    const manage = /(https?:\/\/\S+\/subscriptions\/manage\?token=\S+)/.exec(last.mail.text ?? '')![1]!;
    // A client that asks for JSON gets the subscription as JSON (a browser gets the manage form).
    const view = await api('GET', pathOf(manage), undefined, null, { accept: 'application/json' });
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ email: 'known@example.com', confirmed: true, unsubscribed: false });
    expect(smtp.to('fresh@example.com').map((r) => r.mail.subject)).toEqual(['Confirm your Overdue status subscription']);

    // A form post counts too (request 3); the 4th within the hour is refused, whatever its case.
    const form = await o.app.request('/api/v1/pages/default/subscribers', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=known%40example.com' });
    expect(form.status).toBe(202);
    expect((await subscribe('Known@Example.com')).status).toBe(429);
    await clock.jump(new Date(clock.now().getTime() + 3_601_000));
    expect((await subscribe('known@example.com')).status).toBe(202);
  });

  const serveAndPost = async (fn: (post: (email: string, from: string, headers?: Record<string, string>) => Promise<number>) => Promise<void>) => {
    const server = await listen(o.app, { port: 0, host: '127.0.0.1' });
    const post = (email: string, from: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve, reject) => {
        const body = JSON.stringify({ email });
        const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '/api/v1/pages/default/subscribers', method: 'POST', localAddress: from, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        });
        req.on('error', reject);
        req.end(body);
      });
    try {
      await fn(post);
    } finally {
      await server.close(1000);
    }
  };

  it('per-client limit over HTTP: a forged X-Forwarded-For does not bypass it (TRUST_PROXY off)', async () => {
    await serveAndPost(async (post) => {
      const answers: number[] = [];
      for (let i = 0; i < 25; i++) answers.push(await post(`flood${i}@example.com`, '127.0.0.1', { 'x-forwarded-for': `203.0.113.${i}` }));
      expect(answers.slice(0, 20)).toEqual(Array(20).fill(202));
      expect(answers.slice(20)).toEqual(Array(5).fill(429));
    });
  });

  it('per-client limit over HTTP: one client using up its 20 per hour does not lock out another client', async () => {
    await serveAndPost(async (post) => {
      const answers: number[] = [];
      for (let i = 0; i < 21; i++) answers.push(await post(`busy${i}@example.com`, '127.0.0.1'));
      expect(answers.slice(0, 20)).toEqual(Array(20).fill(202));
      expect(answers[20]).toBe(429);
      expect(await post('other-client@example.com', '127.0.0.2')).toBe(202);
    });
  });
});
