import { signWebhook, WebhookError, type MailSender } from '../notify/index.js';
import type { SecretBox } from '../secret-box.js';
import type { AlertMessage } from './message.js';
import { alertEmail, discordRequest, ntfyRequest, pagerDutyRequest, slackRequest, teamsRequest, type OutboundRequest } from './render.js';
import type { ChannelRow } from './store.js';

/** An HTTP POST to a public receiver (notify's guarded request: checked, pinned address, no redirects). */
export type PostRequest = (req: OutboundRequest & { timeoutMs: number }) => Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>;

export interface ChannelSenderDeps {
  /** Loaded once, on first use (SECRET_KEY, or the key kept in the database). */
  box: () => Promise<SecretBox>;
  mail: MailSender;
  post: PostRequest;
  pagerDutyEventsUrl: string;
  timeoutMs: number;
}

const header = (h: Record<string, string | string[] | undefined>, name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Sends one alert to one channel now, in the channel kind's documented
 * format, with the channel's secrets opened only for this request. A non-2xx
 * answer or a network error throws notify's WebhookError (status and
 * Retry-After, for the outbox's backoff and the channel test's answer).
 */
export async function sendToChannel(deps: ChannelSenderDeps, channel: ChannelRow, m: AlertMessage, deliveryId: string, now: Date): Promise<void> {
  const secret = (channel.sealed_secret ? (await deps.box()).open(channel.sealed_secret) : {}) as Record<string, string>;
  const shown = channel.config as Record<string, string>;
  if (channel.kind === 'email') {
    const mail = alertEmail(m);
    await deps.mail.send(deliveryId, { kind: 'email', to: shown.to!, ...mail, unsubscribeUrl: null }, now);
    return;
  }
  let req: OutboundRequest;
  switch (channel.kind) {
    case 'slack':
      req = slackRequest(secret.url!, m);
      break;
    case 'discord':
      req = discordRequest(secret.url!, m);
      break;
    case 'msteams':
      req = teamsRequest(secret.url!, m);
      break;
    case 'pagerduty':
      req = pagerDutyRequest(deps.pagerDutyEventsUrl, secret.routing_key!, m);
      break;
    case 'ntfy':
      req = ntfyRequest(secret.url!, secret.token, m);
      break;
    case 'webhook': {
      // Standard Webhooks, like subscriber webhooks: the delivery id is the webhook-id, the same on every retry.
      const timestamp = Math.floor(now.getTime() / 1000);
      const body = JSON.stringify({ type: `alert.${m.kind}`, timestamp: now.toISOString(), data: m });
      req = {
        url: secret.url!,
        headers: { 'content-type': 'application/json', 'webhook-id': deliveryId, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook(secret.signing_secret!, deliveryId, timestamp, body) },
        body,
      };
      break;
    }
  }
  let res: Awaited<ReturnType<PostRequest>>;
  try {
    res = await deps.post({ ...req, headers: { 'user-agent': 'Overdue-Alerts/1', ...req.headers }, timeoutMs: deps.timeoutMs });
  } catch (err) {
    throw new WebhookError((err as Error)?.message ?? String(err), null, null);
  }
  if (res.status >= 200 && res.status < 300) return;
  const retryAfter = Number(header(res.headers, 'retry-after'));
  const said = res.body.replace(/\s+/g, ' ').trim().slice(0, 200);
  throw new WebhookError(`answered ${res.status}${said ? `: ${said}` : ''}`, res.status, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null);
}
