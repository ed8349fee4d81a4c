import type { AlertChannels } from './alerts/index.js';
import type { AttentionItems } from './console/index.js';
import type { ExpectationReads } from './expectations/index.js';
import type { Subscriptions } from './notify/index.js';
import type { JobOperations } from './scheduler/index.js';

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

const counted = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * The overview's expectation and outbox items: failing expectations with
 * how many tenants and slots they fail for (a tenant key: its own part, so
 * its own slots only; "tenants" would always say one), and, for the admin
 * key, dead deliveries. Each links to its console list, filtered.
 */
export function expectationAndDeliveryAttention(reads: Pick<ExpectationReads, 'failingTotals'>, deliveries: Pick<Subscriptions, 'deliveryCounts'>): AttentionItems {
  return async (p) => {
    const tenantId = p.kind === 'admin' ? null : (p.tenantId ?? '00000000-0000-0000-0000-000000000000');
    const f = await reads.failingTotals(tenantId);
    const detail = f.expectations === 0 ? [] : [...(tenantId === null ? [counted(f.tenants, 'tenant')] : []), counted(f.slots, 'slot')];
    const items = [{ label: ['failing expectations', ...detail].join(' · '), count: f.expectations, href: '/console/expectations?state=failing' }];
    if (p.kind === 'admin') items.push({ label: 'dead deliveries', count: (await deliveries.deliveryCounts()).dead ?? 0, href: '/console/deliveries?state=dead' });
    return items;
  };
}

/**
 * The overview's job items, for the admin key (a tenant's work runs inside the
 * platform's jobs): jobs whose last run failed, and jobs behind their schedule
 * with the worst lag. Read when the page is served: the scheduler is built
 * after the console.
 */
export function jobAttention(jobs: () => Pick<JobOperations, 'list'>): AttentionItems {
  return async (p) => {
    if (p.kind !== 'admin') return [];
    const all = await jobs().list();
    const behind = all.filter((j) => j.lagSeconds > 0 && !j.job.paused);
    const worst = Math.max(0, ...behind.map((j) => j.lagSeconds));
    return [
      { label: 'failing jobs', count: all.filter((j) => j.state === 'failing').length, href: '/console/jobs' },
      { label: behind.length ? `jobs behind schedule · worst lag ${worst} s` : 'jobs behind schedule', count: behind.length, href: '/console/jobs' },
    ];
  };
}

/** Several sources of overview items, in order. */
export const allAttention =
  (...sources: AttentionItems[]): AttentionItems =>
  async (p) =>
    (await Promise.all(sources.map((s) => s(p)))).flat();
