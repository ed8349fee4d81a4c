import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { withDetails } from '../incidents/page-data.js';
import { pageIndicator } from '../incidents/status.js';
import { componentJson, incidentJson, pageUrl } from '../incidents/statuspage-json.js';
import { componentsOfPage, findPage } from '../incidents/store.js';
import type { ComponentStatus } from '../incidents/table.js';
import { signToken } from './signing.js';
import { incidentEmail, noticeEmail } from './templates.js';
import type { EmailPayload, WebhookPayload } from './table.js';

type Trx = Transaction<Database>;

export interface FanoutDeps {
  db: Kysely<Database>;
  publicUrl: string;
  tokenSecret: () => Promise<Buffer>;
}

const LINK_TTL_MS = 365 * 86_400_000;
const WORDS: Record<string, string> = { investigating: 'Investigating', identified: 'Identified', monitoring: 'Monitoring', resolved: 'Resolved', postmortem: 'Postmortem', scheduled: 'Scheduled maintenance', in_progress: 'Maintenance in progress', verifying: 'Verifying', completed: 'Maintenance completed' };

/** The incident as Statuspage's webhooks send it: the public shape plus its extra keys (null or false when unused). */
function webhookIncident(i: Parameters<typeof incidentJson>[0], components: Parameters<typeof incidentJson>[1]) {
  const x = i.incident;
  const base = incidentJson(i, components);
  return {
    ...base,
    incident_updates: base.incident_updates.map((u) => ({ ...u, wants_twitter_update: false, twitter_updated_at: null })),
    impact_override: null,
    postmortem_body: x.postmortem_body,
    postmortem_published_at: x.postmortem_published_at?.toISOString() ?? null,
    postmortem_ignored: false,
    postmortem_notified_subscribers: false,
    postmortem_notified_twitter: false,
    postmortem_body_last_updated_at: x.postmortem_published_at?.toISOString() ?? null,
    backfilled: false,
    scheduled_for: x.scheduled_for?.toISOString() ?? null,
    scheduled_until: x.scheduled_until?.toISOString() ?? null,
    scheduled_remind_prior: false,
    scheduled_reminded_at: null,
    scheduled_auto_in_progress: x.kind === 'maintenance',
    scheduled_auto_completed: x.kind === 'maintenance',
  };
}

type DeliveryDraft = { eventKey: string; recipient: string; channel: 'email' | 'webhook'; subscriberId: string | null; payload: EmailPayload | WebhookPayload };

/** Inserts deliveries in one statement; an (event, recipient) already there is kept. Returns how many are new. */
export async function insertDeliveries(trx: Kysely<Database> | Trx, drafts: DeliveryDraft[], now: Date): Promise<number> {
  if (drafts.length === 0) return 0;
  const rows = await trx
    .insertInto('deliveries')
    .values(
      drafts.map((d) => ({ id: randomUUID(), event_key: d.eventKey, recipient: d.recipient, channel: d.channel, subscriber_id: d.subscriberId, payload: JSON.stringify(d.payload), state: 'pending' as const, attempts: 0, next_attempt_at: now, lease_until: null, last_error: null, sent_at: null, created_at: now })),
    )
    .onConflict((oc) => oc.columns(['event_key', 'recipient']).doNothing())
    .returning('id')
    .execute();
  return rows.length;
}

export async function insertDelivery(trx: Kysely<Database> | Trx, d: DeliveryDraft, now: Date): Promise<boolean> {
  return (await insertDeliveries(trx, [d], now)) === 1;
}

/**
 * Turns notification events into deliveries: every confirmed, active
 * subscriber of the page whose component selection (none = all) meets the
 * event's components gets one row per (event, subscriber); email only for
 * incident and maintenance updates marked for delivery, webhooks for every
 * event. Then queued billing notices become mail to the account.
 */
export async function fanOut(deps: FanoutDeps, now: Date): Promise<{ events: number; deliveries: number }> {
  const { db } = deps;
  const secret = await deps.tokenSecret();
  let events = 0;
  let deliveries = 0;
  for (;;) {
    const done = await db.transaction().execute(async (trx) => {
      const event = await trx.selectFrom('notification_events').selectAll().where('fanned_out_at', 'is', null).orderBy('id').limit(1).forUpdate().skipLocked().executeTakeFirst();
      if (!event) return false;
      const page = await findPage(trx, event.page_id);
      const subscribers = page
        ? await trx
            .selectFrom('subscribers')
            .selectAll()
            .where('page_id', '=', page.id)
            .where('confirmed_at', 'is not', null)
            .where('unsubscribed_at', 'is', null)
            .where('quarantined_at', 'is', null)
            .where(sql<boolean>`(cardinality(component_ids) = 0 or component_ids && ${event.component_ids}::uuid[])`)
            .execute()
        : [];
      if (page && subscribers.length > 0) {
        const components = await componentsOfPage(trx, page.id);
        const incident = event.incident_id ? (await withDetails(trx, await trx.selectFrom('incidents').selectAll().where('id', '=', event.incident_id).execute()))[0] : undefined;
        // The same roll-up as status.json: leaf components, raised by unresolved incidents and maintenance in progress.
        const leaves = components.filter((c) => !c.is_group).map((c) => c.status as ComponentStatus);
        const open = await trx.selectFrom('incidents').select(['kind', 'status', 'impact']).where('page_id', '=', page.id).where('status', 'in', ['investigating', 'identified', 'monitoring', 'in_progress', 'verifying']).execute();
        const status = pageIndicator(
          leaves,
          open.filter((i) => i.kind === 'incident').map((i) => i.impact),
          open.some((i) => i.kind === 'maintenance'),
        );
        const url = pageUrl(deps.publicUrl, page.slug);
        const latest = incident?.updates.find((u) => u.id === event.update_id) ?? incident?.updates[0];
        const drafts: DeliveryDraft[] = [];
        for (const s of subscribers) {
          const unsubscribeUrl = `${deps.publicUrl}/subscriptions/unsubscribe?token=${signToken(secret, 'unsubscribe', s.id, new Date(now.getTime() + LINK_TTL_MS))}`;
          const eventKey = `event:${event.id}`;
          if (s.channel === 'email') {
            if (!incident || !latest || !event.deliver || event.type === 'component.updated') continue;
            const manageUrl = `${deps.publicUrl}/subscriptions/manage?token=${signToken(secret, 'manage', s.id, new Date(now.getTime() + LINK_TTL_MS))}`;
            const payload = incidentEmail({
              to: s.email!,
              pageName: page.name,
              pageUrl: url,
              incidentName: incident.incident.name,
              statusLabel: WORDS[latest.status] ?? latest.status,
              body: latest.body,
              incidentUrl: `${url}/incidents/${incident.incident.id}`,
              manageUrl,
              unsubscribeUrl,
            });
            drafts.push({ eventKey, recipient: `subscriber:${s.id}`, channel: 'email', subscriberId: s.id, payload });
          } else {
            const component = event.component_id ? components.find((c) => c.id === event.component_id) : undefined;
            const body: Record<string, unknown> = {
              meta: { unsubscribe: unsubscribeUrl, documentation: `${deps.publicUrl}/api/v1/openapi.json`, generated_at: now.toISOString() },
              page: { id: page.id, status_indicator: status.indicator, status_description: status.description },
              ...(incident ? { incident: webhookIncident(incident, components) } : {}),
              ...(component && event.old_status && event.new_status
                ? {
                    component_update: {
                      id: String(event.id),
                      component_id: component.id,
                      component_type: 'Component',
                      old_status: event.old_status,
                      new_status: event.new_status,
                      created_at: event.created_at.toISOString(),
                    },
                  }
                : {}),
              ...(component ? { component: componentJson(component, components) } : {}),
            };
            const payload: WebhookPayload = { kind: 'webhook', url: s.url!, type: event.type, body };
            drafts.push({ eventKey, recipient: `subscriber:${s.id}`, channel: 'webhook', subscriberId: s.id, payload });
          }
        }
        deliveries += await insertDeliveries(trx, drafts, now);
      }
      await trx.updateTable('notification_events').set({ fanned_out_at: now }).where('id', '=', event.id).execute();
      return true;
    });
    if (!done) break;
    events++;
  }
  // Billing notices (the billing core queues them) to the account's address, once each.
  const notices = await db
    .selectFrom('notices')
    .select(['id', 'kind', 'payload'])
    .where('status', '=', 'queued')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('deliveries').select('deliveries.id').whereRef('deliveries.event_key', '=', sql`'notice:' || notices.id`))))
    .limit(500)
    .execute();
  deliveries += await insertDeliveries(
    db,
    notices.map((n) => {
      const payload = noticeEmail(n.kind, n.payload as Record<string, unknown>);
      return { eventKey: `notice:${n.id}`, recipient: `email:${payload.to.toLowerCase()}`, channel: 'email' as const, subscriberId: null, payload };
    }),
    now,
  );
  return { events, deliveries };
}
