import type { Counter, Meter } from '@opentelemetry/api';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { BlockList } from 'node:net';
import type { LoopSpec } from '../background.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { nextAttempt } from './backoff.js';
import { sendWebhook, WebhookError, type MailSender } from './senders.js';
import type { DeliveryTable, EmailPayload, WebhookPayload } from './table.js';
import { refuseTarget } from './targets.js';

type DeliveryRow = Selectable<DeliveryTable>;

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
    const { rows } = await sql<DeliveryRow>`
      update deliveries d set state = 'sending', attempts = d.attempts + 1, lease_until = ${new Date(now.getTime() + this.deps.options.leaseMs)}::timestamptz
      from (
        select id from deliveries
        where ((state in ('pending', 'failed') and next_attempt_at <= ${now}::timestamptz) or (state = 'sending' and lease_until < ${now}::timestamptz))
        order by next_attempt_at limit ${this.deps.options.batch} for update skip locked
      ) due
      where d.id = due.id
      returning d.*`.execute(this.deps.db);
    return rows;
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
    const subscriber = d.subscriber_id ? await db.selectFrom('subscribers').selectAll().where('id', '=', d.subscriber_id).executeTakeFirst() : undefined;
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
        await db.updateTable('subscribers').set({ unsubscribed_at: clock.now(), updated_at: clock.now() }).where('id', '=', subscriber.id).execute();
        return this.#record(d, { state: 'skipped', error: 'the receiver answered 410 Gone; subscriber disabled' });
      }
      if (subscriber && subscriber.channel === 'webhook' && (await this.#noteFailure(subscriber.id, subscriber.failing_since))) {
        return this.#record(d, { state: 'skipped', error: 'subscriber quarantined after failing for 24 h' });
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
    if (subscriber?.failing_since) await db.updateTable('subscribers').set({ failing_since: null }).where('id', '=', subscriber.id).execute();
    if (d.event_key.startsWith('notice:')) await db.updateTable('notices').set({ status: 'sent' }).where('id', '=', d.event_key.slice('notice:'.length)).execute();
    return this.#record(d, { state: 'sent' });
  }

  async #record(d: DeliveryRow, o: { state: 'sent' | 'failed' | 'dead' | 'skipped'; error?: string; next?: Date }): Promise<void> {
    const now = this.deps.clock.now();
    // Guarded by the claim: a row whose lease another worker took over is not overwritten.
    await this.deps.db
      .updateTable('deliveries')
      .set({ state: o.state, last_error: o.error ?? null, lease_until: null, ...(o.next && { next_attempt_at: o.next }), ...(o.state === 'sent' && { sent_at: now }) })
      .where('id', '=', d.id)
      .where('state', '=', 'sending')
      .where('attempts', '=', d.attempts)
      .execute();
  }

  /** Marks a webhook subscriber failing; after the quarantine period in a row, quarantines it and skips its queue (true). */
  async #noteFailure(subscriberId: string, failingSince: Date | null): Promise<boolean> {
    const { db, clock, logger, options } = this.deps;
    const now = clock.now();
    if (!failingSince) {
      await db.updateTable('subscribers').set({ failing_since: now }).where('id', '=', subscriberId).where('failing_since', 'is', null).execute();
      return false;
    }
    if (now.getTime() - failingSince.getTime() < options.quarantineAfterMs) return false;
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('subscribers').set({ quarantined_at: now, updated_at: now }).where('id', '=', subscriberId).where('quarantined_at', 'is', null).execute();
      await trx
        .updateTable('deliveries')
        .set({ state: 'skipped', last_error: 'subscriber quarantined after failing for 24 h' })
        .where('subscriber_id', '=', subscriberId)
        .where('state', 'in', ['pending', 'failed'])
        .execute();
    });
    logger.error({ subscriberId }, 'webhook subscriber quarantined: failing for 24 h in a row');
    return true;
  }
}
