/**
 * What the composition root wires of notify: the fan-out of page events and
 * billing notices into the outbox, the delivery worker, mail senders, the
 * subscriber service and its routes. No other feature calls notify: they
 * leave rows for it (incidents' notification events, billing's notices).
 */
export { fanOut, type FanoutDeps } from './fanout.js';
export { DeliveryWorker, DELIVERY_LOOP, type ExternalDeliveryHandler, type WorkerOptions } from './worker.js';
export { mailboxSender, smtpSender, WebhookError, type MailSender } from './senders.js';
export { parseAllowList } from './targets.js';
export { tokenSecret } from './token-secret.js';
export { generateWebhookSecret, signToken, signWebhook, verifyToken } from './signing.js';
export { createSubscriptions, type Subscriptions } from './subscriptions.js';
export { notifyRoutes } from './routes.js';
export { notifyModule } from './module.js';
export { insertDeliveries as enqueueDeliveries, type DeliveryDraft, type DeliveryRow } from './store.js';
export type { AlertPayload, DeliveryState, EmailPayload } from './table.js';
export { isPublicAddress, refuseTarget } from './targets.js';
export { safeRequest, type SafeRequest } from './safe-request.js';
// The console's list of status pages shows how many subscribers each has (wired at the composition root).
export { countActiveSubscribers } from './subscriber-count-store.js';
