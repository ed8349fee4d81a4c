import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { DeliveriesPage } from '../../console-ui/deliveries.js';
import type { Notice } from '../../console-ui/view.js';
import type { DeliveryState, Subscriptions } from '../notify/index.js';
import { utc } from './check-views.js';
import { decodeCursor, encodeCursor, query } from './cursor.js';
import type { ConsoleSession } from './sessions.js';
import { UUID, viewerOf } from './viewer.js';

type Env = { Variables: { session: ConsoleSession } };
type Render = (c: Context<Env>, body: unknown, status?: number) => Response;

const STATES: DeliveryState[] = ['dead', 'failed', 'pending', 'sending', 'sent', 'skipped'];
const PAGE = 50;

/**
 * `/console/deliveries` (mounted under /console): the outbox by state,
 * newest first, and "Retry" on a dead delivery, through notify's operator
 * service (the one GET /api/v1/deliveries and its retry call). The admin
 * key's only, as that API is: recipients are other people's addresses.
 */
export function deliveryPages(deps: { deliveries: Pick<Subscriptions, 'deliveryPage' | 'deliveryCounts' | 'retry'>; signedIn: MiddlewareHandler<Env>; html: Render }): Hono<Env> {
  const { deliveries, signedIn, html } = deps;
  const app = new Hono<Env>();
  const adminOnly: MiddlewareHandler<Env> = async (c, next) => {
    if (c.get('session').kind !== 'admin') return c.text('Forbidden: deliveries are the platform\'s outbox; sign in with the admin key.', 403);
    await next();
  };

  const list = async (c: Context<Env>, stateRaw: string | undefined, after: string | undefined, notice?: Notice, status = 200) => {
    const state = STATES.includes(stateRaw as DeliveryState) ? (stateRaw as DeliveryState) : undefined;
    const [rows, counts] = await Promise.all([deliveries.deliveryPage(state, PAGE, decodeCursor(after)), deliveries.deliveryCounts()]);
    const last = rows.length === PAGE ? rows[PAGE - 1] : undefined;
    const total = Object.values(counts).reduce((n, x) => n + (x ?? 0), 0);
    return html(
      c,
      DeliveriesPage({
        viewer: viewerOf(c.get('session')),
        state: state ?? null,
        tabs: [{ state: 'all', count: total, href: '/console/deliveries' }, ...STATES.map((s) => ({ state: s, count: counts[s] ?? 0, href: `/console/deliveries${query({ state: s })}` }))],
        deliveries: rows.map((d) => ({
          id: d.id,
          at: utc(d.created_at),
          atIso: d.created_at.toISOString(),
          channel: d.channel,
          // "email:a@b", "webhook:https://…", "channel:<id>": the kind of recipient, then who.
          recipientKind: d.recipient.split(':')[0] ?? d.channel,
          recipient: d.recipient.slice(d.recipient.indexOf(':') + 1),
          state: d.state,
          attempts: d.attempts,
          nextAttempt: d.state === 'pending' || d.state === 'failed' ? utc(d.next_attempt_at) : null,
          lastError: d.last_error,
          retryable: d.state === 'dead',
        })),
        next: last ? `/console/deliveries${query({ state, after: encodeCursor({ at: last.created_at, id: last.id }) })}` : null,
        ...(notice && { notice }),
      }),
      status,
    );
  };

  app.get('/deliveries', signedIn, adminOnly, (c) => list(c, c.req.query('state'), c.req.query('after')));
  app.post('/deliveries/:id/retry', signedIn, adminOnly, async (c) => {
    const id = c.req.param('id');
    const r = UUID.test(id) ? await deliveries.retry(id) : undefined;
    if (!r) return list(c, 'dead', undefined, { ok: false, text: 'No failed, dead or skipped delivery with that id: it may have been retried already.' }, 404);
    return list(c, 'pending', undefined, { ok: true, text: `Delivery ${r.id} queued again: the worker sends it at its next pass.` });
  });
  return app;
}
