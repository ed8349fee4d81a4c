import { describe, expect, it } from 'vitest';
import { noticeEmail } from '../../src/notify/templates.js';

// Intl's spacing: a no-break space between amount and € (de-DE), thin spaces around a range's dash.
const NBSP = '\u00a0';
const THIN = '\u2009';

const INVOICE = '0b6a3c1e-7d2f-4c4b-9a51-2f1e3d4c5b6a';
const ACCOUNT = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';

/** What each currency reads like: 4900 minor units due, 1250 in the balance. */
const CURRENCIES = {
  USD: { exponent: 2, due: '$49.00', balance: '$12.50', dates: 'us' },
  EUR: { exponent: 2, due: `49,00${NBSP}€`, balance: `12,50${NBSP}€`, dates: 'gb' },
  JPY: { exponent: 0, due: '¥4,900', balance: '¥1,250', dates: 'gb' },
} as const;

/**
 * March 2026 as a monthly period from local midnight, due on the 15th (local
 * midnight), paid on March 10 at 13:05Z, as the billing SQL writes them
 * (timestamptz in JSON). New York changes to EDT on March 8; in UTC the Tokyo
 * period would read "28 February – 30 March", due on the 14th.
 */
const ZONES = {
  'America/New_York': {
    period_start: '2026-03-01T05:00:00+00:00',
    period_end: '2026-04-01T04:00:00+00:00',
    due_at: '2026-03-15T04:00:00+00:00',
    paid: { us: 'March 10, 2026 at 9:05 AM EDT', gb: '10 March 2026 at 09:05 Eastern Daylight Time' },
  },
  'Asia/Tokyo': {
    period_start: '2026-02-28T15:00:00+00:00',
    period_end: '2026-03-31T15:00:00+00:00',
    due_at: '2026-03-14T15:00:00+00:00',
    paid: { us: 'March 10, 2026 at 10:05 PM Japan Standard Time', gb: '10 March 2026 at 22:05 Japan Standard Time' },
  },
} as const;

const DATES = {
  us: { period: `March 1${THIN}–${THIN}31, 2026`, due: 'March 15, 2026' },
  gb: { period: `1${THIN}–${THIN}31 March 2026`, due: '15 March 2026' },
} as const;

const KINDS = ['insufficient_balance', 'due_reminder', 'overdue', 'receipt'] as const;

function payload(kind: (typeof KINDS)[number], currency: keyof typeof CURRENCIES, zone: keyof typeof ZONES): Record<string, unknown> {
  const z = ZONES[zone];
  const base = {
    invoice_id: INVOICE,
    account_id: ACCOUNT,
    amount_due: '4900',
    currency,
    currency_exponent: CURRENCIES[currency].exponent,
    period_start: z.period_start,
    period_end: z.period_end,
    due_at: z.due_at,
    email: 'jo@example.com',
    account_name: 'Jo',
    tenant_name: 'HostCo',
    timezone: zone,
  };
  switch (kind) {
    case 'insufficient_balance':
      return { ...base, subscription_id: 'b0b0b0b0-0000-4000-8000-000000000000', balance: '1250' };
    case 'due_reminder':
      return { ...base, days_before_due: 3 };
    case 'overdue':
      return base;
    case 'receipt':
      return { ...base, payment_id: 'c0c0c0c0-0000-4000-8000-000000000000', amount_paid: '4900', method: 'balance', balance_amount: '4900', external_amount: '0', paid_at: '2026-03-10T13:05:00+00:00' };
  }
}

describe('billing notice mail: amounts in the tenant currency and locale, dates in its zone', () => {
  for (const currency of Object.keys(CURRENCIES) as (keyof typeof CURRENCIES)[]) {
    for (const zone of Object.keys(ZONES) as (keyof typeof ZONES)[]) {
      for (const kind of KINDS) {
        it(`${kind}, ${currency}, ${zone}: text and HTML`, () => {
          const c = CURRENCIES[currency];
          const d = DATES[c.dates];
          const mail = noticeEmail(kind, payload(kind, currency, zone));
          expect(mail.to).toBe('jo@example.com');
          const expected: string[] = [INVOICE, d.period, 'Hello Jo,', 'Billing notice from HostCo'];
          switch (kind) {
            case 'insufficient_balance':
              expect(mail.subject).toBe(`Your balance does not cover invoice ${INVOICE.slice(0, 8)}`);
              expected.push(`Your balance of ${c.balance} does not cover your renewal invoice of ${c.due}, so it was not paid automatically.`, d.due);
              break;
            case 'due_reminder':
              expect(mail.subject).toBe(`Invoice ${INVOICE.slice(0, 8)} is due on ${d.due}`);
              expected.push(`Your invoice of ${c.due} is due on ${d.due}.`);
              break;
            case 'overdue':
              expect(mail.subject).toBe(`Invoice ${INVOICE.slice(0, 8)} is overdue`);
              expected.push(`Your invoice of ${c.due} was due on ${d.due} and is still unpaid.`);
              break;
            case 'receipt':
              expect(mail.subject).toBe(`Receipt for invoice ${INVOICE.slice(0, 8)}`);
              expected.push(`Thank you: we received ${c.due} for invoice ${INVOICE} on ${ZONES[zone].paid[c.dates]}.`, c.due);
              break;
          }
          const unpaid = kind !== 'receipt';
          if (unpaid) expected.push(`/api/v1/invoices/${INVOICE}/pay`, `/api/v1/accounts/${ACCOUNT}/top-ups`);
          for (const part of [mail.text, mail.html]) {
            for (const s of expected) expect(part).toContain(s);
            if (!unpaid) expect(part).not.toContain('/pay');
            // No raw minor units, currency codes after numbers, ISO instants or UTC dates.
            expect(part).not.toMatch(/\b(4900|1250)\b/);
            expect(part).not.toMatch(/\d (USD|EUR|JPY)\b/);
            expect(part).not.toMatch(/minor units/);
            expect(part).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
            expect(part).not.toMatch(/February|14 March|March 14|30 March|March 30/);
          }
          // The facts as label: value lines in the text part, table rows in the HTML part.
          const amountLabel = kind === 'receipt' ? 'Amount paid' : 'Amount due';
          expect(mail.text).toMatch(new RegExp(`^${amountLabel}: +${escape(c.due)}$`, 'm'));
          expect(mail.text).toMatch(new RegExp(`^Period: +${escape(d.period)}$`, 'm'));
          expect(mail.html).toContain(`${amountLabel}</th><td>${c.due}</td>`);
          expect(mail.html).toContain(`Period</th><td>${d.period}</td>`);
          if (unpaid) {
            expect(mail.text).toMatch(new RegExp(`^Due date: +${escape(d.due)}$`, 'm'));
            expect(mail.html).toContain(`Due date</th><td>${d.due}</td>`);
          } else {
            expect(mail.text).toMatch(new RegExp(`^Paid on: +${escape(ZONES[zone].paid[c.dates])}$`, 'm'));
            expect(mail.html).toContain(`Paid on</th><td>${ZONES[zone].paid[c.dates]}</td>`);
            expect(mail.text).toMatch(new RegExp(`^From your balance: +${escape(c.due)}$`, 'm'));
            expect(mail.text).not.toContain('Paid directly');
          }
        });
      }
    }
  }
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('billing notice mail: edges', () => {
  it('a combined payment lists both parts; KWD (exponent 3) and a zone with summer time', () => {
    const mail = noticeEmail('receipt', {
      ...payload('receipt', 'USD', 'America/New_York'),
      currency: 'KWD',
      currency_exponent: 3,
      timezone: 'Europe/Berlin',
      amount_paid: '49000',
      method: 'combined',
      balance_amount: '10500',
      external_amount: '38500',
      paid_at: '2026-07-01T08:00:00+00:00',
    });
    expect(mail.text).toContain(`we received KWD${NBSP}49.000 for invoice ${INVOICE} on 1 July 2026 at 10:00 CEST.`);
    expect(mail.text).toMatch(new RegExp(`^From your balance: +KWD${NBSP}10\\.500$`, 'm'));
    expect(mail.text).toMatch(new RegExp(`^Paid directly: +KWD${NBSP}38\\.500$`, 'm'));
  });

  it('payment routes become links under the public URL when given one', () => {
    const mail = noticeEmail('overdue', payload('overdue', 'USD', 'America/New_York'), { apiBase: 'https://billing.example.com/' });
    expect(mail.text).toContain(`Pay this invoice directly (POST https://billing.example.com/api/v1/invoices/${INVOICE}/pay).`);
    expect(mail.text).toContain(`Or top up your balance (POST https://billing.example.com/api/v1/accounts/${ACCOUNT}/top-ups): a top-up pays your open invoices automatically, oldest first`);
  });

  it('names from the database are escaped in HTML, and kept to one line in the subject', () => {
    const mail = noticeEmail('overdue', { ...payload('overdue', 'EUR', 'Asia/Tokyo'), account_name: '<b>Jo</b> & Co', tenant_name: 'Host<script>' });
    expect(mail.html).toContain('Hello &lt;b&gt;Jo&lt;/b&gt; &amp; Co,');
    expect(mail.html).toContain('Billing notice from Host&lt;script&gt;');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain('Hello <b>Jo</b> & Co,');
  });

  it('a notice queued before the tenant fields existed: UTC and the currency exponent Intl knows, zone named', () => {
    const legacy = { invoice_id: INVOICE, payment_id: 'p', amount_paid: '4900', currency: 'USD', method: 'balance', balance_amount: '4900', external_amount: '0', period_start: '2026-03-01T05:00:00+00:00', period_end: '2026-04-01T04:00:00+00:00', paid_at: '2026-03-10T13:05:00+00:00', email: 'jo@example.com', account_name: 'Jo' };
    const mail = noticeEmail('receipt', legacy);
    expect(mail.text).toContain(`we received $49.00 for invoice ${INVOICE} on March 10, 2026 at 1:05 PM UTC.`);
    expect(mail.text).toContain('Billing notice\n');
  });

  it('an odd payload (unknown zone, bad currency) still renders rather than stopping the fan-out', () => {
    const mail = noticeEmail('overdue', { ...payload('overdue', 'USD', 'America/New_York'), timezone: 'Mars/Olympus', currency: 'US$', currency_exponent: 2 });
    // An unknown currency code is written as its decimal amount and code; an unknown zone as UTC.
    expect(mail.text).toContain('Your invoice of 49.00 US$ was due on 15 March 2026 and is still unpaid.');
  });
});
