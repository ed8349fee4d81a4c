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
import { findPage } from '../incidents/index.js';
import { recordAlertEvent } from '../signals/index.js';

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
 * Deliveries the outbox carries for another feature (alerting's channel
 * deliveries, channel 'alert'): it sends them and keeps its recipients'
 * state; the worker claims, retries with backoff, and records outcomes.
 */
export interface ExternalDeliveryHandler {
  /** Sends; throws (WebhookError for status and Retry-After) when the attempt failed; returns a reason to skip instead. */
  send(d: DeliveryRow, now: Date): Promise<{ skipped: string } | void>;
  /** After a failed attempt: a reason to skip the delivery when its recipient is now quarantined. */
  failed(d: DeliveryRow, error: string, now: Date): Promise<string | undefined>;
  succeeded(d: DeliveryRow): Promise<void>;
}

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

  readonly #external = new Map<string, ExternalDeliveryHandler>();

  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock; logger: Logger; meter: Meter; mail: MailSender; options: WorkerOptions }) {
    this.#sent = deps.meter.createCounter('overdue_deliveries_sent_total', { description: 'Deliveries sent, by channel' });
    this.#failed = deps.meter.createCounter('overdue_delivery_failures_total', { description: 'Failed delivery attempts, by channel' });
    this.#dead = deps.meter.createCounter('overdue_deliveries_dead_total', { description: 'Deliveries given up after retrying for 3 days' });
  }

  /** Hands deliveries of `channel` to `handler` (composition: alerting registers 'alert'). */
  handle(channel: string, handler: ExternalDeliveryHandler): void {
    this.#external.set(channel, handler);
  }

  loop(): LoopSpec {
    // A full batch means more may be due: tick again at once rather than after the interval.
    return { name: DELIVERY_LOOP, intervalMs: 1000, tick: async () => ((await this.tick()) >= this.deps.options.batch ? 0 : undefined) };
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
    const external = this.#external.get(d.channel);
    if (external) return this.#deliverExternal(d, external);
    if (d.channel === 'alert') return this.#record(d, { state: 'failed', error: 'no sender for alert deliveries in this instance', next: new Date(this.deps.clock.now().getTime() + 60_000) });
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
        await sendWebhook(d.id, payload, subscriber?.secret ?? '', clock.now(), options.webhookTimeoutMs, options.allowPrivate);
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
      if (!next) return this.#giveUp(d, error, subscriber?.page_id ?? null);
      return this.#record(d, { state: 'failed', error, next });
    }
    this.#sent.add(1, { channel: d.channel });
    if (subscriber?.failing_since) await clearSubscriberFailing(db, subscriber.id);
    if (d.event_key.startsWith('notice:')) await markNoticeSent(db, d.event_key.slice('notice:'.length));
    return this.#record(d, { state: 'sent' });
  }

  async #deliverExternal(d: DeliveryRow, handler: ExternalDeliveryHandler): Promise<void> {
    const { clock, logger, options } = this.deps;
    try {
      const outcome = await handler.send(d, clock.now());
      if (outcome) return this.#record(d, { state: 'skipped', error: outcome.skipped });
    } catch (err) {
      const error = (err as Error)?.message ?? String(err);
      this.#failed.add(1, { channel: d.channel });
      logger.warn({ deliveryId: d.id, channel: d.channel, channelId: d.channel_id, attempt: d.attempts, error }, 'delivery attempt failed');
      const quarantined = await handler.failed(d, error, clock.now());
      if (quarantined) return this.#record(d, { state: 'skipped', error: quarantined });
      const now = clock.now();
      let next = nextAttempt(d.created_at, d.attempts, now, (options.random ?? Math.random)());
      if (next && err instanceof WebhookError && err.retryAfterMs) next = new Date(Math.max(next.getTime(), now.getTime() + err.retryAfterMs));
      if (!next) {
        // An alert that could not be delivered for 3 days: its channel is quarantined long before; not alerted again (no loops).
        this.#dead.add(1, { channel: d.channel });
        logger.error({ deliveryId: d.id, channel: d.channel, channelId: d.channel_id, error }, 'delivery given up after 3 days');
        return this.#record(d, { state: 'dead', error });
      }
      return this.#record(d, { state: 'failed', error, next });
    }
    this.#sent.add(1, { channel: d.channel });
    await handler.succeeded(d);
    return this.#record(d, { state: 'sent' });
  }

  /** Gives a delivery up after 3 days of retries and tells the page's team privately. */
  async #giveUp(d: DeliveryRow, error: string, pageId: string | null): Promise<void> {
    const { db, clock, logger } = this.deps;
    this.#dead.add(1, { channel: d.channel });
    logger.error({ deliveryId: d.id, channel: d.channel, error }, 'delivery given up after 3 days');
    await this.#record(d, { state: 'dead', error });
    const page = pageId ? await findPage(db, pageId) : undefined;
    await recordAlertEvent(
      db,
      {
        tenantId: page?.tenant_id ?? null,
        kind: 'delivery.dead',
        severity: 'warning',
        title: `A ${d.channel} delivery was given up after 3 days`,
        text: `Overdue could not deliver ${d.event_key} to ${d.recipient}${page ? ` (status page ${page.slug})` : ''} and stopped retrying. Last error: ${error}`,
        details: { delivery_id: d.id, recipient: d.recipient, attempts: d.attempts, last_error: error },
      },
      clock.now(),
    );
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
    await db.transaction().execute(async (trx) => {
      await quarantineSubscriber(trx, subscriberId, QUARANTINED, now);
      const subscriber = await findSubscriber(trx, subscriberId);
      const page = subscriber ? await findPage(trx, subscriber.page_id) : undefined;
      await recordAlertEvent(
        trx,
        {
          tenantId: page?.tenant_id ?? null,
          kind: 'subscriber.quarantined',
          severity: 'warning',
          title: `A webhook subscriber of ${page?.slug ?? 'a status page'} was quarantined`,
          text: `Its receiver (${subscriber?.url ? new URL(subscriber.url).host : 'unknown host'}) failed every delivery for 24 h; it gets nothing more until it subscribes again.`,
          details: { subscriber_id: subscriberId, page: page?.slug ?? null },
        },
        now,
      );
    });
    logger.error({ subscriberId }, 'webhook subscriber quarantined: failing for 24 h in a row');
    return true;
  }
}
