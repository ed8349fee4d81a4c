import type { Config } from '../config.js';
import type { FeatureParts } from '../feature-module.js';
import { refuseTarget, safeRequest, type DeliveryWorker, type MailSender } from '../notify/index.js';
import { loadSecretBox, type SecretBox } from '../secret-box.js';
import type { ServiceDeps } from '../service-deps.js';
import { channelDeliveries } from './channel-deliveries.js';
import { AlertDispatcher } from './dispatcher.js';
import { alertRoutes } from './routes.js';
import type { ChannelSenderDeps } from './sender.js';
import { createAlertChannels } from './service.js';

/**
 * Operator alerting, composed: the channels API, the dispatcher loop (signals
 * and alert events → one outbox row per event and channel) and the outbox's
 * sender for those rows, registered on notify's delivery worker.
 */
export function alertsModule(
  deps: ServiceDeps & {
    config: Config;
    notify: { deliveries: DeliveryWorker; mail: MailSender; tokenSecret: () => Promise<Buffer>; allowPrivate: Parameters<typeof refuseTarget>[1] };
    wakeDeliveries: () => void;
  },
): FeatureParts & { channels: ReturnType<typeof createAlertChannels>; dispatcher: AlertDispatcher } {
  const { db, clock, logger, meter, config, notify } = deps;
  const t = config.tuning;
  let box: Promise<SecretBox> | undefined;
  const sender: ChannelSenderDeps = {
    box: () => (box ??= loadSecretBox(db, config.secretKey).catch((err) => ((box = undefined), Promise.reject(err)))),
    mail: notify.mail,
    post: safeRequest(notify.allowPrivate),
    pagerDutyEventsUrl: config.pagerDutyEventsUrl,
    timeoutMs: t.webhookTimeoutMs,
  };
  const channels = createAlertChannels({
    db,
    clock,
    publicUrl: config.publicUrl,
    box: sender.box,
    sender,
    tokenSecret: notify.tokenSecret,
    refuseTarget: (url) => refuseTarget(url, notify.allowPrivate),
  });
  notify.deliveries.handle('alert', channelDeliveries({ db, clock, logger, sender, quarantineAfterMs: t.quarantineAfterMs }));
  const dispatcher = new AlertDispatcher({ db, clock, logger, meter, publicUrl: config.publicUrl, batch: t.alertDispatchBatch, intervalMs: t.alertDispatchIntervalMs, wakeDeliveries: deps.wakeDeliveries });
  return {
    channels,
    dispatcher,
    routes: [alertRoutes({ db, clock, logger, channels })],
    loops: [dispatcher.loop()],
  };
}
