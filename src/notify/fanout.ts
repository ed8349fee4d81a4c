import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { claimNextEvent, findPage, markEventFannedOut } from '../incidents/index.js';
import { loadEventView, pageUrl as pageUrlOf, webhookBody } from '../status/index.js';
import { signToken } from './signing.js';
import { insertDeliveries, queuedNotices, subscribersFor, type DeliveryDraft } from './store.js';
import { incidentEmail, noticeEmail, statusLabel } from './templates.js';
import type { WebhookPayload } from './table.js';

export interface FanoutDeps {
  db: Kysely<Database>;
  publicUrl: string;
  tokenSecret: () => Promise<Buffer>;
}

const LINK_TTL_MS = 365 * 86_400_000;

/**
 * Turns notification events into deliveries: every confirmed, active
 * subscriber of the page whose component selection (none = all) meets the
 * event's components gets one row per (event, subscriber); email only for
 * incident and maintenance updates marked for delivery, webhooks (Statuspage's
 * body, from status/) for every event. Each event is claimed, fanned out and
 * marked in one transaction. Then queued billing notices become mail to the
 * account, once each.
 */
export async function fanOut(deps: FanoutDeps, now: Date): Promise<{ events: number; deliveries: number }> {
  const { db, publicUrl } = deps;
  const secret = await deps.tokenSecret();
  const link = (purpose: string, subscriberId: string) => `${publicUrl}/subscriptions/${purpose}?token=${signToken(secret, purpose, subscriberId, new Date(now.getTime() + LINK_TTL_MS))}`;
  let events = 0;
  let deliveries = 0;
  for (;;) {
    const done = await db.transaction().execute(async (trx) => {
      const event = await claimNextEvent(trx);
      if (!event) return false;
      const page = await findPage(trx, event.page_id);
      const subscribers = page ? await subscribersFor(trx, page.id, event.component_ids) : [];
      if (page && subscribers.length > 0) {
        const view = await loadEventView(trx, page, event);
        const { incident } = view;
        const pageUrl = pageUrlOf(publicUrl, page.slug);
        const latest = incident?.updates.find((u) => u.id === event.update_id) ?? incident?.updates[0];
        const drafts: DeliveryDraft[] = [];
        for (const s of subscribers) {
          const unsubscribeUrl = link('unsubscribe', s.id);
          const eventKey = `event:${event.id}`;
          if (s.channel === 'email') {
            if (!incident || !latest || !event.deliver || event.type === 'component.updated') continue;
            const payload = incidentEmail({
              to: s.email!,
              pageName: page.name,
              pageUrl,
              incidentName: incident.incident.name,
              statusLabel: statusLabel(latest.status),
              body: latest.body,
              incidentUrl: `${pageUrl}/incidents/${incident.incident.id}`,
              manageUrl: link('manage', s.id),
              unsubscribeUrl,
            });
            drafts.push({ eventKey, recipient: `subscriber:${s.id}`, channel: 'email', subscriberId: s.id, payload });
          } else {
            const body = webhookBody(view, { unsubscribe: unsubscribeUrl, documentation: `${publicUrl}/api/v1/openapi.json`, generatedAt: now });
            const payload: WebhookPayload = { kind: 'webhook', url: s.url!, type: event.type, body };
            drafts.push({ eventKey, recipient: `subscriber:${s.id}`, channel: 'webhook', subscriberId: s.id, payload });
          }
        }
        deliveries += await insertDeliveries(trx, drafts, now);
      }
      await markEventFannedOut(trx, event.id, now);
      return true;
    });
    if (!done) break;
    events++;
  }
  // Billing notices (the billing core queues them) to the account's address, once each.
  const notices = await queuedNotices(db, 500);
  deliveries += await insertDeliveries(
    db,
    notices.map((n) => {
      const payload = noticeEmail(n.kind, n.payload as Record<string, unknown>, { apiBase: deps.publicUrl });
      return { eventKey: `notice:${n.id}`, recipient: `email:${payload.to.toLowerCase()}`, channel: 'email' as const, subscriberId: null, payload };
    }),
    now,
  );
  return { events, deliveries };
}
