import type { Counter, Meter } from '@opentelemetry/api';
import type { Kysely } from 'kysely';
import type { BlockList } from 'node:net';
import type { LoopSpec } from '../background.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { nextAttempt } from './backoff.js';
import { sendWebhook, WebhookError, type MailSender } from './senders.js';
import {
  claimDeliveries,
  clearSubscriberFailing,
  disableSubscriber,
  findSubscriber,
  markNoticeSent,
  markSubscriberFailing,
  quarantineSubscriber,
  recordOutcome,
  type DeliveryRow,
} from './store.js';
import type { EmailPayload, WebhookPayload } from './table.js';
import { refuseTarget } from './targets.js';

const QUARANTINED = 'subscriber quarantined after failing for 24 h';

export interface WorkerOptions {
  batch: number;
  leaseMs: number;
  webhookTimeoutMs: number;
  /** A webhook subscriber failing this long in a row is quarantined. */
  quarantineAfterMs: number;
  allowPrivate: BlockList;
  random?: () => number;
}

export const DELIVERY_LOOP = 'deliveries';

/**
 * Sends the outbox. Claims due rows with FOR UPDATE SKIP LOCKED under a lease
 * (a worker that dies mid-send leaves a lease that expires, and the row is
 * sent again: at most one repeat, with the same Message-ID / webhook-id),
 * sends, and records the outcome: sent, retry later with backoff, dead after
 * 3 days, or skipped when the subscriber is gone or quarantined.
 */
export class DeliveryWorker {
  readonly #sent: Counter;
  readonly #failed: Counter;
  readonly #dead: Counter;

  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock; logger: Logger; meter: Meter; mail: MailSender; options: WorkerOptions }) {
    this.#sent = deps.meter.createCounter('overdue_deliveries_sent_total', { description: 'Deliveries sent, by channel' });
    this.#failed = deps.meter.createCounter('overdue_delivery_failures_total', { description: 'Failed delivery attempts, by channel' });
    this.#dead = deps.meter.createCounter('overdue_deliveries_dead_total', { description: 'Deliveries given up after retrying for 3 days' });
  }

  loop(): LoopSpec {
    return { name: DELIVERY_LOOP, intervalMs: 1000, tick: async () => void (await this.tick()) };
  }

  async claim(): Promise<DeliveryRow[]> {
    const now = this.deps.clock.now();
    return claimDeliveries(this.deps.db, now, new Date(now.getTime() + this.deps.options.leaseMs), this.deps.options.batch);
  }

  /** One batch; returns how many were attempted. */
  async tick(): Promise<number> {
    const batch = await this.claim();
    await Promise.all(batch.map((d) => this.#deliver(d)));
    return batch.length;
  }

  async #deliver(d: DeliveryRow): Promise<void> {
    const { db, clock, logger, options } = this.deps;
    const payload = d.payload as EmailPayload | WebhookPayload;
    const subscriber = d.subscriber_id ? await findSubscriber(db, d.subscriber_id) : undefined;
    if (d.subscriber_id && (!subscriber || subscriber.unsubscribed_at || subscriber.quarantined_at)) {
      return this.#record(d, { state: 'skipped', error: !subscriber ? 'subscriber deleted' : subscriber.unsubscribed_at ? 'unsubscribed' : 'subscriber quarantined' });
    }
    try {
      if (payload.kind === 'email') await this.deps.mail.send(d.id, payload, clock.now());
      else {
        const refused = await refuseTarget(payload.url, options.allowPrivate);
        if (refused) throw new WebhookError(`target refused: ${refused}`, null, null);
        await sendWebhook(d.id, payload, subscriber?.secret ?? '', clock.now(), options.webhookTimeoutMs);
      }
    } catch (err) {
      const error = (err as Error)?.message ?? String(err);
      this.#failed.add(1, { channel: d.channel });
      logger.warn({ deliveryId: d.id, channel: d.channel, attempt: d.attempts, error }, 'delivery attempt failed');
      if (err instanceof WebhookError && err.status === 410 && subscriber) {
        await disableSubscriber(db, subscriber.id, clock.now());
        return this.#record(d, { state: 'skipped', error: 'the receiver answered 410 Gone; subscriber disabled' });
      }
      if (subscriber && subscriber.channel === 'webhook' && (await this.#noteFailure(subscriber.id, subscriber.failing_since))) {
        return this.#record(d, { state: 'skipped', error: QUARANTINED });
      }
      const now = clock.now();
      let next = nextAttempt(d.created_at, d.attempts, now, (options.random ?? Math.random)());
      if (next && err instanceof WebhookError && err.retryAfterMs) next = new Date(Math.max(next.getTime(), now.getTime() + err.retryAfterMs));
      if (!next) {
        this.#dead.add(1, { channel: d.channel });
        logger.error({ deliveryId: d.id, channel: d.channel, error }, 'delivery given up after 3 days');
        return this.#record(d, { state: 'dead', error });
      }
      return this.#record(d, { state: 'failed', error, next });
    }
    this.#sent.add(1, { channel: d.channel });
    if (subscriber?.failing_since) await clearSubscriberFailing(db, subscriber.id);
    if (d.event_key.startsWith('notice:')) await markNoticeSent(db, d.event_key.slice('notice:'.length));
    return this.#record(d, { state: 'sent' });
  }

  async #record(d: DeliveryRow, o: { state: 'sent' | 'failed' | 'dead' | 'skipped'; error?: string; next?: Date }): Promise<void> {
    // Guarded by the claim: a row whose lease another worker took over is not overwritten.
    await recordOutcome(this.deps.db, d, o, this.deps.clock.now());
  }

  /** Marks a webhook subscriber failing; after the quarantine period in a row, quarantines it and skips its queue (true). */
  async #noteFailure(subscriberId: string, failingSince: Date | null): Promise<boolean> {
    const { db, clock, logger, options } = this.deps;
    const now = clock.now();
    if (!failingSince) {
      await markSubscriberFailing(db, subscriberId, now);
      return false;
    }
    if (now.getTime() - failingSince.getTime() < options.quarantineAfterMs) return false;
    await db.transaction().execute((trx) => quarantineSubscriber(trx, subscriberId, QUARANTINED, now));
    logger.error({ subscriberId }, 'webhook subscriber quarantined: failing for 24 h in a row');
    return true;
  }
}
