import type { AlertChannels } from './alerts/index.js';
import type { AttentionItems } from './console/index.js';

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
