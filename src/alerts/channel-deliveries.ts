import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { DeliveryRow, ExternalDeliveryHandler } from '../notify/index.js';
import { recordAlertEvent } from '../signals/index.js';
import type { AlertMessage } from './message.js';
import { sendToChannel, type ChannelSenderDeps } from './sender.js';
import { clearChannelFailure, findChannel, noteChannelFailure, quarantineChannel } from './store.js';

/**
 * The outbox's sender for alert deliveries: looks the channel up at send time
 * (deleted, quarantined or unconfirmed channels are skipped), sends, and keeps
 * the channel's failure record. A channel failing for `quarantineAfterMs` in a
 * row is quarantined, its queue skipped, and its owner told on their other channels.
 */
export function channelDeliveries(deps: { db: Kysely<Database>; clock: Clock; logger: Logger; sender: ChannelSenderDeps; quarantineAfterMs: number }): ExternalDeliveryHandler {
  const { db, logger } = deps;
  // Channels whose record shows failures, as last read: only their successes need a write to clear it.
  const failing = new Set<string>();
  return {
    async send(d: DeliveryRow, now: Date) {
      const channel = d.channel_id ? await findChannel(db, d.channel_id) : undefined;
      if (!channel) return { skipped: 'channel deleted' };
      if (channel.failing_since) failing.add(channel.id);
      if (channel.quarantined_at) return { skipped: 'channel quarantined' };
      if (channel.kind === 'email' && !channel.confirmed_at) return { skipped: 'email address not confirmed' };
      const m = (d.payload as unknown as { alert: AlertMessage }).alert;
      // PagerDuty opens an incident per trigger: only failures (and their recoveries) page someone.
      if (channel.kind === 'pagerduty' && m.state === 'info') return { skipped: 'PagerDuty channels get failures and recoveries only' };
      await sendToChannel(deps.sender, channel, m, d.id, now);
    },
    async failed(d, error, now) {
      if (!d.channel_id) return undefined;
      failing.add(d.channel_id);
      const since = await noteChannelFailure(db, d.channel_id, error, now);
      if (!since || now.getTime() - since.getTime() < deps.quarantineAfterMs) return undefined;
      const reason = `channel quarantined after failing for ${Math.round(deps.quarantineAfterMs / 3_600_000)} h in a row`;
      const done = await db.transaction().execute(async (trx) => {
        if (!(await quarantineChannel(trx, d.channel_id!, reason, now))) return false;
        const channel = await findChannel(trx, d.channel_id!);
        await recordAlertEvent(
          trx,
          {
            tenantId: channel?.tenant_id ?? null,
            kind: 'channel.quarantined',
            severity: 'warning',
            title: `Alert channel "${channel?.name}" (${channel?.kind}) was quarantined`,
            text: `Every alert to it failed since ${since.toISOString()}; it gets nothing more until you fix it (PATCH its config, or a successful POST /api/v1/channels/${d.channel_id}/test). Last error: ${error}`,
            details: { channel_id: d.channel_id, last_error: error },
          },
          now,
        );
        return true;
      });
      if (done) logger.error({ channelId: d.channel_id, error }, 'alert channel quarantined');
      return reason;
    },
    async succeeded(d) {
      if (d.channel_id && failing.delete(d.channel_id)) await clearChannelFailure(db, d.channel_id);
    },
  };
}
