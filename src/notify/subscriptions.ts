import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { componentsOfPage, findComponents, findPage, findPageBySlug, type ComponentRow, type PageRow } from '../incidents/index.js';
import { generateWebhookSecret, signToken, verifyToken } from './signing.js';
import {
  confirmSubscriber,
  findSubscriber,
  insertDeliveries,
  insertSubscriber,
  deliveryStateCounts,
  listDeliveries,
  listMailbox,
  pageDeliveries,
  lockEmailSubscriber,
  resetSubscriber,
  retryDelivery,
  setSubscriberComponents,
  unsubscribeSubscriber,
  type SubscriberRow,
} from './store.js';
import type { DeliveryState } from './table.js';
import { confirmEmail } from './templates.js';

const CONFIRM_TTL_MS = 48 * 3_600_000;
const LINK_TTL_MS = 365 * 86_400_000;

export type LinkPurpose = 'confirm' | 'manage' | 'unsubscribe';

/**
 * Status page subscribers and the operator's view of the outbox. Email
 * subscriptions are double opt-in: subscribing queues a confirmation mail
 * (through the outbox, in the transaction that records the subscriber), and
 * every later step is reached by a signed link. Webhook subscribers are
 * confirmed at once (a key created them).
 */
export interface Subscriptions {
  page(slug: string): Promise<PageRow | undefined>;
  /** 400 unless every id is a component of the page; the ids, deduplicated. */
  checkComponents(page: PageRow, ids: string[]): Promise<string[]>;
  /**
   * New or lapsed (unconfirmed, unsubscribed) addresses get a confirmation
   * link; an active one gets its manage link instead, so the answer never
   * tells the requester whether the address was subscribed.
   */
  subscribeEmail(page: PageRow, email: string, componentIds: string[]): Promise<void>;
  /** The subscriber a link is for; undefined when the link is forged or expired. */
  verifyLink(token: string, purpose: LinkPurpose): Promise<string | undefined>;
  confirm(id: string): Promise<void>;
  unsubscribe(id: string): Promise<void>;
  subscriber(id: string): Promise<SubscriberRow | undefined>;
  /** The page a subscriber is on. */
  pageOf(s: SubscriberRow): Promise<PageRow>;
  /** A page's components in display order (the manage form's choices). */
  components(page: PageRow): Promise<ComponentRow[]>;
  setComponents(id: string, componentIds: string[]): Promise<void>;
  /** Returns the new subscriber's id and signing secret (shown once). */
  addWebhook(page: PageRow, url: string, componentIds: string[]): Promise<{ id: string; secret: string }>;
  deliveries(state: DeliveryState | undefined): ReturnType<typeof listDeliveries>;
  /** A page of deliveries, newest first, after the (created_at, id) cursor (the console pages through them). */
  deliveryPage(state: DeliveryState | undefined, limit: number, cursor?: { at: Date; id: string }): ReturnType<typeof pageDeliveries>;
  deliveryCounts(): ReturnType<typeof deliveryStateCounts>;
  /** Undefined unless the delivery is failed, dead or skipped. */
  retry(id: string): ReturnType<typeof retryDelivery>;
  mailbox(): ReturnType<typeof listMailbox>;
}

export function createSubscriptions(deps: { db: Kysely<Database>; clock: Clock; publicUrl: string; tokenSecret: () => Promise<Buffer> }): Subscriptions {
  const { db, clock, publicUrl } = deps;
  return {
    page: (slug) => findPageBySlug(db, slug),
    async checkComponents(page, ids) {
      const unique = [...new Set(ids)];
      const found = (await findComponents(db, unique)).filter((c) => c.page_id === page.id);
      if (found.length !== unique.length) throw new AppError('validation_failed', 'components has ids that are not components of this page');
      return unique;
    },
    async subscribeEmail(page, email, componentIds) {
      const now = clock.now();
      const secret = await deps.tokenSecret();
      const link = (purpose: LinkPurpose, id: string, ttl: number) => `${publicUrl}/subscriptions/${purpose}?token=${signToken(secret, purpose, id, new Date(now.getTime() + ttl))}`;
      await db.transaction().execute(async (trx) => {
        const existing = await lockEmailSubscriber(trx, page.id, email);
        const id = existing?.id ?? randomUUID();
        if (!existing) {
          const subscriber = { id, page_id: page.id, channel: 'email' as const, email, url: null, secret: null, component_ids: componentIds, confirmed_at: null };
          await insertSubscriber(trx, { ...subscriber, unsubscribed_at: null, quarantined_at: null, failing_since: null, created_at: now, updated_at: now });
        } else if (!existing.confirmed_at || existing.unsubscribed_at) {
          await resetSubscriber(trx, existing.id, componentIds, now);
        }
        const active = existing?.confirmed_at && !existing.unsubscribed_at;
        const payload = confirmEmail({ to: email, pageName: page.name, confirmUrl: link('confirm', id, CONFIRM_TTL_MS), manageUrl: active ? link('manage', id, LINK_TTL_MS) : null });
        // A fresh event key each time: every request gets its mail (the rate limit bounds them).
        await insertDeliveries(trx, [{ eventKey: `subscribe:${id}:${randomUUID()}`, recipient: `email:${email.toLowerCase()}`, channel: 'email', subscriberId: null, payload }], now);
      });
    },
    async verifyLink(token, purpose) {
      return verifyToken(await deps.tokenSecret(), token, purpose, clock.now());
    },
    confirm: (id) => confirmSubscriber(db, id, clock.now()),
    unsubscribe: (id) => unsubscribeSubscriber(db, id, clock.now()),
    subscriber: (id) => findSubscriber(db, id),
    pageOf: async (s) => (await findPage(db, s.page_id))!,
    components: (page) => componentsOfPage(db, page.id),
    setComponents: (id, componentIds) => setSubscriberComponents(db, id, componentIds, clock.now()),
    async addWebhook(page, url, componentIds) {
      const now = clock.now();
      const secret = generateWebhookSecret();
      const id = randomUUID();
      await insertSubscriber(db, { id, page_id: page.id, channel: 'webhook', email: null, url, secret, component_ids: componentIds, confirmed_at: now, unsubscribed_at: null, quarantined_at: null, failing_since: null, created_at: now, updated_at: now });
      return { id, secret };
    },
    deliveries: (state) => listDeliveries(db, state),
    deliveryPage: (state, limit, cursor) => pageDeliveries(db, state, limit, cursor),
    deliveryCounts: () => deliveryStateCounts(db),
    retry: (id) => retryDelivery(db, id, clock.now()),
    mailbox: () => listMailbox(db, 100),
  };
}
