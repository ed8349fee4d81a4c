import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordReminders } from '../../src/billing/dunning.js';
import { apiClient, created, type Api } from '../support/http.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { TestSmtp, type ReceivedMail } from './servers.js';

// Intl writes "49,00 €" with a no-break space (U+00A0), and a date range with thin spaces (U+2009).
const EUR_49 = '49,00\u00a0€';
const MARCH = '1\u2009–\u200931 March 2026';

/**
 * Billing mail for real: the notices the billing core queues (invoice run,
 * reminders, payment) go through fan-out, the delivery worker and SMTP, and
 * are read back with mailparser. A EUR tenant in Europe/Berlin: amounts as
 * de-DE writes them, dates and times in Berlin with the zone named.
 */
describe(`billing mail over SMTP on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let clock: ManualClock;
  let api: Api;
  const smtp = new TestSmtp();

  const pump = async () => {
    await o.fanOut();
    while ((await o.deliveries.tick()) > 0) {
      // until nothing is due
    }
  };
  const jump = (iso: string) => clock.jump(new Date(iso));
  /** The one new mail to `address` since `seen` mails, both parts checked to be there. */
  const nextMail = (address: string, seen: number): ReceivedMail => {
    const mails = smtp.to(address);
    expect(mails).toHaveLength(seen + 1);
    const mail = mails[seen]!;
    expect(mail.mail.text).toBeTruthy();
    expect(mail.mail.html).toBeTruthy();
    return mail;
  };
  const both = (m: ReceivedMail) => [m.mail.text as string, m.mail.html as string];

  beforeAll(async () => {
    await smtp.start();
    t = await testDatabase();
    clock = new ManualClock('2026-03-01T09:00:00Z'); // 10:00 CET
    o = await drivenOverdue({ database: t, clock, env: { SMTP_URL: smtp.url, MAIL_FROM: 'Billing <billing@example.com>' } });
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
    await smtp.stop();
  });

  it('a EUR tenant: balance notice, reminder, overdue notice and receipt read "49,00 €", in Berlin time', async () => {
    const tenant = await created(api, '/api/v1/tenants', { slug: 'berlinnet', name: 'BerlinNet', timezone: 'Europe/Berlin', currency: 'EUR', due_days: 14, reminder_days: [3] });
    expect(tenant).toMatchObject({ currency: 'EUR', currency_exponent: 2 });
    const account = await created(api, '/api/v1/accounts', { name: 'Jo', email: 'jo@example.com' }, tenant.api_key);
    await created(api, '/api/v1/subscriptions', { account_id: account.id, description: 'Fibre 100', amount: 4900, interval: 'month', anchor: '2026-03-01', auto_renew: true }, tenant.api_key);
    const run = await api('POST', '/api/v1/invoice-runs', { slot: '2026-03-01T09:00:00Z' }, tenant.api_key);
    expect(run.body).toMatchObject({ created: 1, notices: 1 });
    const invoice = (await api('GET', `/api/v1/invoices?account=${account.id}`, undefined, tenant.api_key)).body.data[0];
    // Period: March in Berlin (from local midnight, CET), due 14 local days later.
    expect(invoice).toMatchObject({ period_start: '2026-02-28T23:00:00.000Z', period_end: '2026-03-31T22:00:00.000Z', due_at: '2026-03-14T23:00:00.000Z', amount_due: 4900 });
    const short = String(invoice.id).slice(0, 8);

    // 1. The renewal invoice was not covered: the balance notice.
    await pump();
    const balance = nextMail('jo@example.com', 0);
    expect(balance.mail.subject).toBe(`Your balance does not cover invoice ${short}`);
    for (const part of both(balance)) {
      expect(part).toContain(`Your balance of 0,00\u00a0€ does not cover your renewal invoice of ${EUR_49}, so it was not paid automatically.`);
      expect(part).toContain(invoice.id);
      expect(part).toContain(MARCH);
      expect(part).toContain('15 March 2026');
      expect(part).toContain(`/api/v1/invoices/${invoice.id}/pay`);
      expect(part).toContain(`/api/v1/accounts/${account.id}/top-ups`);
      expect(part).toContain('BerlinNet');
      expect(part).not.toMatch(/minor units|4900|\d{4}-\d{2}-\d{2}T/);
    }
    expect(balance.mail.text).toMatch(/^Amount due: +49,00\u00a0€$/m);

    // 2. Three local days before the due date (March 12, 00:00 CET): the reminder.
    await jump('2026-03-11T23:00:00Z');
    expect(await recordReminders(t.db, clock.now())).toEqual({ reminders: 1, overdue: 0 });
    await pump();
    const reminder = nextMail('jo@example.com', 1);
    expect(reminder.mail.subject).toBe(`Invoice ${short} is due on 15 March 2026`);
    for (const part of both(reminder)) {
      expect(part).toContain(`Your invoice of ${EUR_49} is due on 15 March 2026.`);
      expect(part).toContain(MARCH);
    }

    // 3. Past the due date (March 15, 00:00 CET): the overdue notice.
    await jump('2026-03-14T23:00:00Z');
    expect(await recordReminders(t.db, clock.now())).toEqual({ reminders: 0, overdue: 1 });
    await pump();
    const overdue = nextMail('jo@example.com', 2);
    expect(overdue.mail.subject).toBe(`Invoice ${short} is overdue`);
    for (const part of both(overdue)) expect(part).toContain(`Your invoice of ${EUR_49} was due on 15 March 2026 and is still unpaid.`);

    // 4. A top-up at 14:05 CET pays it from the balance: the receipt.
    await jump('2026-03-16T13:05:00Z');
    const topUp = await api('POST', `/api/v1/accounts/${account.id}/top-ups`, { amount: 4900, reference: 'sepa-2026-03-16' }, tenant.api_key);
    expect(topUp.body).toMatchObject({ settled_invoices: [invoice.id] });
    await pump();
    const receipt = nextMail('jo@example.com', 3);
    expect(receipt.mail.subject).toBe(`Receipt for invoice ${short}`);
    expect(receipt.mail.text).toContain(`Thank you: we received ${EUR_49} for invoice ${invoice.id} on 16 March 2026 at 14:05 CET.`);
    expect(receipt.mail.text).toMatch(/^Amount paid: +49,00\u00a0€$/m);
    expect(receipt.mail.text).toMatch(/^From your balance: +49,00\u00a0€$/m);
    expect(receipt.mail.text).toMatch(/^Paid on: +16 March 2026 at 14:05 CET$/m);
    // What the customer sees: "49,00 €" (the space is a no-break one, so the sign never wraps alone).
    expect(receipt.mail.text!.replace(/\u00a0/g, ' ')).toContain('we received 49,00 € for invoice');
    for (const part of both(receipt)) {
      expect(part).toContain(EUR_49);
      expect(part).toContain(MARCH);
      expect(part).not.toContain('/pay');
      expect(part).not.toMatch(/minor units|4900|\d{4}-\d{2}-\d{2}T/);
    }
    expect(receipt.mail.html).toContain(`Amount paid</th><td>${EUR_49}</td>`);
    expect((await t.db.selectFrom('notices').select('status').where('account_id', '=', account.id).execute()).map((n) => n.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
  });

  it('a JPY tenant in Asia/Tokyo paid directly: "¥4,900", paid directly, in Japan Standard Time', async () => {
    await jump('2026-04-01T00:00:00Z'); // 09:00 in Tokyo
    const tenant = await created(api, '/api/v1/tenants', { slug: 'tokyonet', name: 'TokyoNet', timezone: 'Asia/Tokyo', currency: 'JPY' });
    expect(tenant).toMatchObject({ currency_exponent: 0 });
    const account = await created(api, '/api/v1/accounts', { name: 'Aki', email: 'aki@example.com' }, tenant.api_key);
    await created(api, '/api/v1/subscriptions', { account_id: account.id, amount: 4900, description: 'Fibre', interval: 'month', anchor: '2026-04-01', auto_renew: false }, tenant.api_key);
    await api('POST', '/api/v1/invoice-runs', { slot: '2026-04-01T00:00:00Z' }, tenant.api_key);
    const invoice = (await api('GET', `/api/v1/invoices?account=${account.id}`, undefined, tenant.api_key)).body.data[0];
    expect(invoice).toMatchObject({ period_start: '2026-03-31T15:00:00.000Z', amount_due: 4900 });
    const paid = await api('POST', `/api/v1/invoices/${invoice.id}/pay`, { method: 'external', amount: 4900, reference: 'konbini-1' }, tenant.api_key);
    expect(paid.status).toBe(200);
    await pump();
    const receipt = nextMail('aki@example.com', 0);
    expect(receipt.mail.text).toContain(`Thank you: we received ¥4,900 for invoice ${invoice.id} on 1 April 2026 at 09:00 Japan Standard Time.`);
    expect(receipt.mail.text).toMatch(/^Period: +1\u2009–\u200930 April 2026$/m);
    expect(receipt.mail.text).toMatch(/^Paid directly: +¥4,900$/m);
    expect(receipt.mail.text).not.toContain('From your balance');
    expect(receipt.mail.html).toContain('Amount paid</th><td>¥4,900</td>');
  });
});
