import type { AlertChannels } from './alerts/index.js';
import type { AttentionItems } from './console/index.js';
import type { ExpectationReads } from './expectations/index.js';
import type { Subscriptions } from './notify/index.js';

/**
 * What the console's overview lists beside the checks, from alerting: the
 * viewer's channels that are quarantined or failing, and a nudge when there
 * are none (nobody would be told). Composition glue: the console knows no
 * channel table, alerting knows no console.
 */
export function channelAttention(channels: AlertChannels): AttentionItems {
  return async (p) => {
    const mine = await channels.list({ tenantId: p.tenantId }, null, 1000);
    if (mine.length === 0) return [{ label: 'alert channels: nobody is told yet, add one', count: 0, href: '/console/channels' }];
    return [
      { label: 'quarantined alert channels', count: mine.filter((c) => c.quarantined_at).length, href: '/console/channels' },
      { label: 'failing alert channels', count: mine.filter((c) => c.failing_since && !c.quarantined_at).length, href: '/console/channels' },
    ];
  };
}

/**
 * The overview's expectation and outbox items: failing expectations (the
 * viewer's own part for a tenant key) with how many tenants fail, and, for
 * the admin key, dead deliveries. Each links to its console list.
 */
export function expectationAndDeliveryAttention(reads: ExpectationReads, deliveries: Pick<Subscriptions, 'deliveryCounts'>): AttentionItems {
  return async (p) => {
    const tenantId = p.kind === 'admin' ? null : (p.tenantId ?? '00000000-0000-0000-0000-000000000000');
    const failing = (await reads.list(tenantId)).filter((e) => e.failing);
    const tenants = new Set(failing.flatMap((e) => Object.keys(e.latest?.byTenant ?? {}).filter((t) => t !== 'platform')));
    const items = [{ label: tenantId === null && tenants.size ? `failing expectations (${tenants.size} tenant${tenants.size === 1 ? '' : 's'} failing)` : 'failing expectations', count: failing.length, href: '/console/expectations' }];
    if (p.kind === 'admin') items.push({ label: 'dead deliveries', count: (await deliveries.deliveryCounts()).dead ?? 0, href: '/console/deliveries?state=dead' });
    return items;
  };
}

/** Several sources of overview items, in order. */
export const allAttention =
  (...sources: AttentionItems[]): AttentionItems =>
  async (p) =>
    (await Promise.all(sources.map((s) => s(p)))).flat();
