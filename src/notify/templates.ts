import { escapeHtml, renderMarkdownLite } from '../../status-ui/markdown.js';
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

const NOTICE_SUBJECT: Record<string, (p: Record<string, unknown>) => string> = {
  insufficient_balance: (p) => `Your balance does not cover invoice ${String(p.invoice_id).slice(0, 8)}`,
  due_reminder: (p) => `Invoice ${String(p.invoice_id).slice(0, 8)} is due in ${p.days_before_due} day(s)`,
  overdue: (p) => `Invoice ${String(p.invoice_id).slice(0, 8)} is overdue`,
  receipt: (p) => `Receipt for invoice ${String(p.invoice_id).slice(0, 8)}`,
};

/** A billing notice to the account's address. */
export function noticeEmail(kind: string, p: Record<string, unknown>): EmailPayload {
  const subject = headerSafe((NOTICE_SUBJECT[kind] ?? (() => 'Billing notice'))(p));
  const lines = [
    `Hello ${String(p.account_name ?? '')},`,
    kind === 'insufficient_balance'
      ? `Your balance (${p.balance} minor units of ${p.currency}) does not cover the renewal invoice of ${p.amount_due}. Top up or pay the invoice directly.`
      : kind === 'overdue'
        ? `Invoice ${p.invoice_id} of ${p.amount_due} ${p.currency} was due on ${p.due_at} and is unpaid.`
        : kind === 'receipt'
          ? `We received ${p.amount_paid} ${p.currency} for invoice ${p.invoice_id} (${p.method}: ${p.balance_amount} from your balance, ${p.external_amount} paid directly), covering ${p.period_start} to ${p.period_end}. Thank you.`
          : `Invoice ${p.invoice_id} of ${p.amount_due} ${p.currency} is due on ${p.due_at}.`,
  ];
  return { kind: 'email', to: String(p.email), subject, text: `${lines.join('\n\n')}\n`, html: wrap(subject, lines.map((l) => `<p>${escapeHtml(l)}</p>`).join(''), 'Billing notice'), unsubscribeUrl: null };
}
