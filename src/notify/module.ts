import type { Config } from '../config.js';
import type { FeatureParts } from '../feature-module.js';
import type { ServiceDeps } from '../service-deps.js';
import { fanOut } from './fanout.js';
import { notifyRoutes } from './routes.js';
import { mailboxSender, smtpSender, type MailSender } from './senders.js';
import { createSubscriptions, type Subscriptions } from './subscriptions.js';
import { parseAllowList } from './targets.js';
import { tokenSecret } from './token-secret.js';
import { DeliveryWorker } from './worker.js';
import { trustProxyOf } from '../http/client-address.js';

/**
 * Notifications, composed: the fan-out of page events and billing notices
 * into the outbox (a loop), the delivery worker (a loop), the mail sender
 * (SMTP_URL, else the local mailbox) and the subscriber and operator routes.
 */
export function notifyModule(
  deps: ServiceDeps & { config: Config; mailSender?: MailSender | undefined },
): FeatureParts & {
  deliveries: DeliveryWorker;
  /** Subscribers and the operator's view of the outbox (the deliveries API's service; the console's too). */
  subscriptions: Subscriptions;
  /** For other features' mail (alert channels): the same sender as subscribers'. */
  mail: MailSender;
  /** Signs links in mail (confirmations); shared by every instance. */
  tokenSecret: () => Promise<Buffer>;
  /** WEBHOOK_ALLOW_PRIVATE, parsed: outbound requests to anything else must reach public addresses. */
  allowPrivate: ReturnType<typeof parseAllowList>;
  fanOut(): Promise<{ events: number; deliveries: number }>;
  close(): void;
} {
  const { db, clock, logger, meter, config } = deps;
  const t = config.tuning;
  const secrets = tokenSecret(db);
  const allowPrivate = parseAllowList(config.webhookAllowPrivate);
  const mail = deps.mailSender ?? (config.smtpUrl ? smtpSender(config.smtpUrl, config.mailFrom) : mailboxSender(db, logger));
  const runFanOut = () => fanOut({ db, publicUrl: config.publicUrl, tokenSecret: secrets }, clock.now());
  const deliveries = new DeliveryWorker({
    db,
    clock,
    logger,
    meter,
    mail,
    options: { batch: t.deliveryBatch, leaseMs: t.deliveryLeaseMs, webhookTimeoutMs: t.webhookTimeoutMs, quarantineAfterMs: t.quarantineAfterMs, allowPrivate },
  });
  const subscriptions = createSubscriptions({ db, clock, publicUrl: config.publicUrl, tokenSecret: secrets });
  return {
    deliveries,
    subscriptions,
    mail,
    tokenSecret: secrets,
    allowPrivate,
    fanOut: runFanOut,
    close: () => mail.close(),
    routes: [notifyRoutes({ db, clock, subscriptions, publicUrl: config.publicUrl, allowPrivate, trustProxy: trustProxyOf(config.heartbeats.trustProxy) })],
    loops: [{ name: 'notify-fanout', intervalMs: t.fanOutIntervalMs, tick: async () => void (await runFanOut()) }, deliveries.loop()],
  };
}
