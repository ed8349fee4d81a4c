import type { Counter, Meter } from '@opentelemetry/api';
import type { Kysely, Transaction } from 'kysely';
import type { LoopSpec } from '../background.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { enqueueDeliveries, type DeliveryDraft } from '../notify/index.js';
import {
  alertWorkPending,
  claimUnalertedSignals,
  claimUndispatchedAlertEvents,
  markAlertEventsDispatched,
  markSignalsAlerted,
  recordSignalAlertEvents,
  type AlertEventRow,
} from '../signals/index.js';
import type { AlertMessage } from './message.js';
import { signalAlert } from './signal-alerts.js';
import { recipientsOf } from './store.js';

export const ALERTS_LOOP = 'alerts';

/** What an alert event says, as every channel will show it. */
export function messageOf(e: AlertEventRow): AlertMessage {
  const d = (e.details ?? {}) as Record<string, unknown>;
  const scalarFacts = Object.entries(d)
    .filter(([k, v]) => !['state', 'facts', 'excerpt', 'links', 'dedup_key'].includes(k) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'))
    .map(([k, v]) => ({ name: k.replace(/_/g, ' '), value: String(v) }));
  return {
    eventId: e.id.toString(),
    kind: e.kind,
    state: d.state === 'failing' || d.state === 'recovered' ? d.state : 'info',
    severity: e.severity,
    title: e.title,
    text: e.text,
    facts: Array.isArray(d.facts) ? (d.facts as AlertMessage['facts']) : scalarFacts,
    excerpt: typeof d.excerpt === 'string' ? d.excerpt : null,
    links: Array.isArray(d.links) ? (d.links as AlertMessage['links']) : [],
    dedupKey: typeof d.dedup_key === 'string' ? d.dedup_key : `overdue-event-${e.id}`,
    at: e.created_at.toISOString(),
  };
}

/**
 * Turns what happened into deliveries, in two set-based steps per batch:
 * unalerted signals become alert events (alerting's own cursor on signals,
 * so the incident loop's pace or failures never delay an alert), then
 * undispatched events become one outbox row per routed channel (unique per
 * event and channel: exactly once, across instances and retries). Then the
 * delivery worker is woken, so an alert is not left waiting for its next tick.
 */
export class AlertDispatcher {
  readonly #unrouted: Counter;
  readonly #queued: Counter;

  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock; logger: Logger; meter: Meter; publicUrl: string; batch: number; intervalMs: number; wakeDeliveries: () => void }) {
    this.#unrouted = deps.meter.createCounter('overdue_alerts_unrouted_total', { description: 'Alert events with no channel to hear them' });
    this.#queued = deps.meter.createCounter('overdue_alert_deliveries_queued_total', { description: 'Alert deliveries queued, one per event and channel' });
  }

  loop(): LoopSpec {
    return { name: ALERTS_LOOP, intervalMs: this.deps.intervalMs, tick: async () => void (await this.tick()) };
  }

  /** Drains signals and events; returns how many deliveries were queued. */
  async tick(): Promise<number> {
    const { db, batch } = this.deps;
    if (!(await alertWorkPending(db))) return 0;
    while ((await db.transaction().execute((trx) => this.#fromSignals(trx))) === batch) {
      // a full batch: there may be more
    }
    let queued = 0;
    for (;;) {
      const { events, deliveries } = await db.transaction().execute((trx) => this.#dispatch(trx));
      queued += deliveries;
      if (events < batch) break;
    }
    if (queued > 0) this.deps.wakeDeliveries();
    return queued;
  }

  async #fromSignals(trx: Transaction<Database>): Promise<number> {
    const signals = await claimUnalertedSignals(trx, this.deps.batch);
    await recordSignalAlertEvents(trx, signals.flatMap((s) => signalAlert(s, this.deps.publicUrl) ?? []));
    await markSignalsAlerted(trx, signals.map((s) => s.id), this.deps.clock.now());
    return signals.length;
  }

  async #dispatch(trx: Transaction<Database>): Promise<{ events: number; deliveries: number }> {
    const { clock, logger } = this.deps;
    const events = await claimUndispatchedAlertEvents(trx, this.deps.batch);
    if (events.length === 0) return { events: 0, deliveries: 0 };
    const recipients = await recipientsOf(trx, events.map((e) => ({ id: e.id, tenantId: e.tenant_id, source: e.source })));
    const byEvent = new Map(events.map((e) => [e.id, e]));
    const drafts: DeliveryDraft[] = recipients.map((r) => ({
      eventKey: `alert:${r.eventId}`,
      recipient: `channel:${r.channelId}`,
      channel: 'alert',
      subscriberId: null,
      channelId: r.channelId,
      payload: { kind: 'alert', alert: messageOf(byEvent.get(r.eventId)!) as unknown as Record<string, unknown> },
    }));
    const heard = new Set(recipients.map((r) => r.eventId));
    for (const e of events) {
      if (heard.has(e.id)) continue;
      // Nobody to tell: the log (and its counter) is the last resort, never silence.
      this.#unrouted.add(1, { kind: e.kind });
      logger.warn({ alert: e.id.toString(), kind: e.kind, tenantId: e.tenant_id, source: e.source, title: e.title }, 'alert with no channel to hear it (add one: POST /api/v1/channels)');
    }
    const n = await enqueueDeliveries(trx, drafts, clock.now());
    this.#queued.add(n);
    await markAlertEventsDispatched(trx, events.map((e) => e.id), clock.now());
    return { events: events.length, deliveries: n };
  }
}
