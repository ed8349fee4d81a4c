import { escapeHtml, renderMarkdownLite } from '../../status-ui/markdown.js';
import { mailLocale } from '../format/locale.js';
import { formatMoney, intlExponent, minorToDecimal } from '../format/money.js';
import { formatDate, formatInstant, formatPeriod } from '../format/time.js';
import type { EmailPayload } from './table.js';

/** Header-bound text: one line, no control characters (nodemailer encodes the rest). */
export function headerSafe(s: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, max);
}

function wrap(title: string, bodyHtml: string, footer: string): string {
  return `<!doctype html><html lang="en"><body style="font-family:system-ui,sans-serif;max-width:40rem"><h1 style="font-size:1.2rem">${escapeHtml(title)}</h1>${bodyHtml}<hr><p style="color:#57606a;font-size:.85rem">${footer}</p></body></html>`;
}

const STATUS_LABEL: Record<string, string> = { investigating: 'Investigating', identified: 'Identified', monitoring: 'Monitoring', resolved: 'Resolved', postmortem: 'Postmortem', scheduled: 'Scheduled maintenance', in_progress: 'Maintenance in progress', verifying: 'Verifying', completed: 'Maintenance completed' };

/** An incident or maintenance status as a subscriber's mail names it. */
export function statusLabel(status: string): string {
  return STATUS_LABEL[status] ?? status;
}

export function incidentEmail(m: {
  to: string;
  pageName: string;
  pageUrl: string;
  incidentName: string;
  statusLabel: string;
  body: string;
  incidentUrl: string;
  manageUrl: string;
  unsubscribeUrl: string;
}): EmailPayload {
  const subject = headerSafe(`[${m.pageName}] ${m.incidentName}: ${m.statusLabel}`);
  const text = `${m.incidentName}\n${m.statusLabel}\n\n${m.body}\n\nDetails: ${m.incidentUrl}\nStatus page: ${m.pageUrl}\n\nManage your subscription: ${m.manageUrl}\nUnsubscribe: ${m.unsubscribeUrl}\n`;
  const html = wrap(
    `${m.incidentName}: ${m.statusLabel}`,
    `${renderMarkdownLite(m.body)}<p><a href="${escapeHtml(m.incidentUrl)}">Details</a> · <a href="${escapeHtml(m.pageUrl)}">Status page</a></p>`,
    `<a href="${escapeHtml(m.manageUrl)}">Manage your subscription</a> · <a href="${escapeHtml(m.unsubscribeUrl)}">Unsubscribe</a>`,
  );
  return { kind: 'email', to: m.to, subject, text, html, unsubscribeUrl: m.unsubscribeUrl };
}

export function confirmEmail(m: { to: string; pageName: string; confirmUrl: string; manageUrl: string | null }): EmailPayload {
  if (m.manageUrl) {
    // Already subscribed: say nothing new, offer the manage link (never reveals anything to the requester).
    return {
      kind: 'email',
      to: m.to,
      subject: headerSafe(`Your ${m.pageName} status subscription`),
      text: `Someone asked to subscribe this address to ${m.pageName} status updates. It is already subscribed.\n\nManage it: ${m.manageUrl}\n`,
      html: wrap(`Your ${m.pageName} status subscription`, `<p>This address is already subscribed.</p><p><a href="${escapeHtml(m.manageUrl)}">Manage it</a></p>`, 'If this was not you, ignore this message.'),
      unsubscribeUrl: null,
    };
  }
  return {
    kind: 'email',
    to: m.to,
    subject: headerSafe(`Confirm your ${m.pageName} status subscription`),
    text: `Confirm that you want ${m.pageName} status updates at this address (the link expires in 48 hours):\n${m.confirmUrl}\n`,
    html: wrap(`Confirm your ${m.pageName} status subscription`, `<p><a href="${escapeHtml(m.confirmUrl)}">Confirm</a> (the link expires in 48 hours).</p>`, 'If this was not you, ignore this message.'),
    unsubscribeUrl: null,
  };
}

/** What a billing notice says, in order: both the text and the HTML part are rendered from it. */
type NoticeBlock = { kind: 'para'; text: string } | { kind: 'facts'; rows: [label: string, value: string][] } | { kind: 'list'; title: string; items: string[] };

/**
 * Reads a notice payload (billing's `invoiceNoticeFields` plus the kind's own
 * fields) into display strings in the tenant's currency, locale and zone.
 * Payloads queued before the tenant fields existed fall back to UTC and the
 * currency's Intl exponent. Never throws: one odd notice must not stop the
 * fan-out of the others.
 */
function noticeFormat(p: Record<string, unknown>) {
  const currency = typeof p.currency === 'string' ? p.currency : '';
  const exponent = typeof p.currency_exponent === 'number' && Number.isInteger(p.currency_exponent) ? p.currency_exponent : safe(() => intlExponent(currency), 2);
  const locale = mailLocale(currency, typeof p.locale === 'string' ? p.locale : undefined);
  const zone = typeof p.timezone === 'string' && safe(() => Boolean(new Intl.DateTimeFormat('en', { timeZone: p.timezone as string })), false) ? p.timezone : 'UTC';
  const text = (key: string) => (typeof p[key] === 'string' || typeof p[key] === 'number' ? String(p[key]) : '');
  const minor = (key: string) => (typeof p[key] === 'string' && /^-?[0-9]+$/.test(p[key]) ? BigInt(p[key]) : typeof p[key] === 'number' && Number.isSafeInteger(p[key]) ? BigInt(p[key]) : undefined);
  const instant = (key: string) => {
    const at = typeof p[key] === 'string' ? new Date(p[key]) : undefined;
    return at && !Number.isNaN(at.getTime()) ? at : undefined;
  };
  return {
    text,
    minor,
    money: (key: string) => {
      const m = minor(key);
      if (m === undefined) return '';
      return safe(() => formatMoney(m, { currency, exponent }, locale.amounts), `${safe(() => minorToDecimal(m, exponent), m.toString())} ${currency}`);
    },
    date: (key: string) => {
      const at = instant(key);
      return at ? formatDate(at, zone, locale.dates) : '';
    },
    instant: (key: string) => {
      const at = instant(key);
      return at ? formatInstant(at, zone, locale.dates) : '';
    },
    period: () => {
      const start = instant('period_start');
      const end = instant('period_end');
      return start && end ? formatPeriod(start, end, zone, locale.dates) : start ? `from ${formatDate(start, zone, locale.dates)}` : '';
    },
  };
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

const shortId = (id: string) => id.slice(0, 8);

/** Label/value rows, leaving out values the payload did not have. */
const facts = (rows: [string, string][]): NoticeBlock => ({ kind: 'facts', rows: rows.filter(([, v]) => v !== '') });

/**
 * The billing notices. Each names the invoice (its id: invoices have no
 * separate number), its period, amount and due date; an unpaid one says how
 * to pay it. Subjects keep their established form (mail filters and tests
 * match them), with the due date where it helps.
 */
function noticeContent(kind: string, p: Record<string, unknown>, apiBase: string): { subject: string; blocks: NoticeBlock[] } {
  const f = noticeFormat(p);
  const invoiceId = f.text('invoice_id');
  const accountId = f.text('account_id');
  const invoiceRows = (amountLabel: string, amountKey: string): [string, string][] => [
    ['Invoice', invoiceId],
    ['Period', f.period()],
    [amountLabel, f.money(amountKey)],
  ];
  const invoiceFacts = (): NoticeBlock => facts([...invoiceRows('Amount due', 'amount_due'), ['Due date', f.date('due_at')]]);
  const howToPay: NoticeBlock = {
    kind: 'list',
    title: 'How to pay',
    items: [
      `Pay this invoice directly (POST ${apiBase}/api/v1/invoices/${invoiceId}/pay).`,
      `Or top up your balance${accountId ? ` (POST ${apiBase}/api/v1/accounts/${accountId}/top-ups)` : ''}: a top-up pays your open invoices automatically, oldest first, each one it covers in full.`,
    ],
  };
  const alreadyPaid: NoticeBlock = { kind: 'para', text: 'If you have paid it in the meantime, thank you, and please ignore this message.' };
  switch (kind) {
    case 'insufficient_balance':
      return {
        subject: `Your balance does not cover invoice ${shortId(invoiceId)}`,
        blocks: [
          { kind: 'para', text: `Your balance of ${f.money('balance')} does not cover your renewal invoice of ${f.money('amount_due')}, so it was not paid automatically.` },
          invoiceFacts(),
          howToPay,
        ],
      };
    case 'due_reminder':
      return {
        subject: f.date('due_at') ? `Invoice ${shortId(invoiceId)} is due on ${f.date('due_at')}` : `Invoice ${shortId(invoiceId)} is due soon`,
        blocks: [{ kind: 'para', text: `Your invoice of ${f.money('amount_due')} is due on ${f.date('due_at')}.` }, invoiceFacts(), howToPay, alreadyPaid],
      };
    case 'overdue':
      return {
        subject: `Invoice ${shortId(invoiceId)} is overdue`,
        blocks: [{ kind: 'para', text: `Your invoice of ${f.money('amount_due')} was due on ${f.date('due_at')} and is still unpaid.` }, invoiceFacts(), howToPay, alreadyPaid],
      };
    case 'receipt': {
      // A receipt is for a paid invoice: its due date no longer matters, how it was paid does.
      const paidAt = f.instant('paid_at');
      const rows = invoiceRows('Amount paid', 'amount_paid');
      if ((f.minor('balance_amount') ?? 0n) > 0n) rows.push(['From your balance', f.money('balance_amount')]);
      if ((f.minor('external_amount') ?? 0n) > 0n) rows.push(['Paid directly', f.money('external_amount')]);
      rows.push(['Paid on', paidAt]);
      return {
        subject: `Receipt for invoice ${shortId(invoiceId)}`,
        blocks: [{ kind: 'para', text: `Thank you: we received ${f.money('amount_paid')} for invoice ${invoiceId}${paidAt ? ` on ${paidAt}` : ''}.` }, facts(rows)],
      };
    }
    default:
      return { subject: 'Billing notice', blocks: invoiceId ? [invoiceFacts()] : [] };
  }
}

function noticeText(blocks: NoticeBlock[]): string[] {
  return blocks.map((b) => {
    if (b.kind === 'para') return b.text;
    if (b.kind === 'list') return [`${b.title}:`, ...b.items.map((i) => `- ${i}`)].join('\n');
    const width = Math.max(...b.rows.map(([label]) => label.length)) + 2;
    return b.rows.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`).join('\n');
  });
}

function noticeHtml(blocks: NoticeBlock[]): string {
  return blocks
    .map((b) => {
      if (b.kind === 'para') return `<p>${escapeHtml(b.text)}</p>`;
      if (b.kind === 'list') return `<p><strong>${escapeHtml(b.title)}</strong></p><ul>${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
      const rows = b.rows.map(([label, value]) => `<tr><th scope="row" style="text-align:left;padding-right:1rem;font-weight:normal;color:#57606a">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('');
      return `<table style="border-collapse:collapse">${rows}</table>`;
    })
    .join('');
}

/**
 * A billing notice to the account's address: the tenant's customer reads it,
 * so amounts are in the tenant's currency and locale ("$49.00", "49,00 €",
 * "¥4,900"), instants in the tenant's zone with the zone named, and period
 * and due date as local dates. `p` is the payload billing queued with the
 * notice. `apiBase` prefixes the payment routes (relative without it).
 */
export function noticeEmail(kind: string, p: Record<string, unknown>, opts: { apiBase?: string } = {}): EmailPayload {
  const { subject: rawSubject, blocks } = noticeContent(kind, p, (opts.apiBase ?? '').replace(/\/+$/, ''));
  const subject = headerSafe(rawSubject);
  const tenant = typeof p.tenant_name === 'string' && p.tenant_name ? p.tenant_name : '';
  const footer = tenant ? `Billing notice from ${tenant}` : 'Billing notice';
  const greeting = `Hello ${String(p.account_name ?? '')},`;
  const text = [greeting, ...noticeText(blocks), footer].join('\n\n');
  const html = wrap(subject, `<p>${escapeHtml(greeting)}</p>${noticeHtml(blocks)}`, escapeHtml(footer));
  return { kind: 'email', to: String(p.email), subject, text: `${text}\n`, html, unsubscribeUrl: null };
}
