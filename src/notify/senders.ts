import nodemailer from 'nodemailer';
import type { Kysely } from 'kysely';
import { BlockList } from 'node:net';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { safeRequest, type SafeRequest } from './safe-request.js';
import { signWebhook } from './signing.js';
import { insertMail } from './store.js';
import type { EmailPayload, WebhookPayload } from './table.js';

export interface MailSender {
  send(deliveryId: string, mail: EmailPayload, now: Date): Promise<void>;
  close(): void;
}

function headers(deliveryId: string, mail: EmailPayload): Record<string, string> {
  return mail.unsubscribeUrl ? { 'List-Unsubscribe': `<${mail.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', 'X-Overdue-Delivery': deliveryId } : { 'X-Overdue-Delivery': deliveryId };
}

/**
 * SMTP through nodemailer (STARTTLS when the server offers it; options such as
 * `?ignoreTLS=true` ride on the URL). The Message-ID is the delivery's, stable across retries.
 */
export function smtpSender(url: string, from: string): MailSender {
  const transport = nodemailer.createTransport(url);
  return {
    async send(deliveryId, mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, messageId: `<${deliveryId}@overdue>`, headers: headers(deliveryId, mail) });
    },
    close: () => transport.close(),
  };
}

/** Without SMTP_URL: the mail goes to the local mailbox (GET /api/v1/mailbox) and the log. */
export function mailboxSender(db: Kysely<Database>, logger: Logger): MailSender {
  return {
    async send(deliveryId, mail, now) {
      await insertMail(db, { deliveryId, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, headers: { 'Message-ID': `<${deliveryId}@overdue>`, ...headers(deliveryId, mail) } }, now);
      logger.info({ deliveryId, to: mail.to, subject: mail.subject }, 'mail delivered to the local mailbox (no SMTP_URL)');
    },
    close: () => undefined,
  };
}

export class WebhookError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

/**
 * POSTs a Standard Webhooks request: `webhook-id` (the delivery id, the same
 * on every retry), `webhook-timestamp` (this attempt), `webhook-signature`.
 * 2xx within the timeout is delivered; redirects are not followed. Sent with
 * safeRequest: the target is resolved once, checked against `allow`
 * (WEBHOOK_ALLOW_PRIVATE) and the connection pinned to the checked address.
 * Without `allow` only public addresses are reached.
 */
export async function sendWebhook(deliveryId: string, hook: WebhookPayload, secret: string, now: Date, timeoutMs: number, allow: BlockList = new BlockList()): Promise<void> {
  const timestamp = Math.floor(now.getTime() / 1000);
  const body = JSON.stringify({ type: hook.type, timestamp: now.toISOString(), data: hook.body });
  let res: Awaited<ReturnType<SafeRequest>>;
  try {
    res = await safeRequest(allow)({
      url: hook.url,
      method: 'POST',
      timeoutMs,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Overdue-Webhooks/1',
        'webhook-id': deliveryId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(secret, deliveryId, timestamp, body),
      },
      body,
    });
  } catch (err) {
    throw new WebhookError(`request failed: ${(err as Error)?.message ?? String(err)}`, null, null);
  }
  if (res.status >= 200 && res.status < 300) return;
  const retryAfter = Number([res.headers['retry-after']].flat()[0]);
  throw new WebhookError(`answered ${res.status}`, res.status, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null);
}
