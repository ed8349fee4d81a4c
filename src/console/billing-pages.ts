import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { TenantBillingPage, TenantsPage, type MissingInvoices, type TenantBilling } from '../../console-ui/billing.js';
import type { BillingOverview, InvoiceStatus, TenantRow } from '../billing/index.js';
import type { ExpectationReads } from '../expectations/index.js';
import { mailLocale } from '../format/locale.js';
import { formatMoney, intlExponent } from '../format/money.js';
import { formatDate, formatInstant, formatPeriod } from '../format/time.js';
import { decodeCursor, encodeCursor, query } from './cursor.js';
import type { ConsoleSession } from './sessions.js';
import { UUID, viewerOf } from './viewer.js';
import { NotFoundPage } from '../../console-ui/layout.js';

type Env = { Variables: { session: ConsoleSession } };
type Render = (c: Context<Env>, body: unknown, status?: number) => Response;

const STATUSES: InvoiceStatus[] = ['open', 'draft', 'paid', 'uncollectible', 'void'];
const PAGE = 50;
const NOTICE_LABEL: Record<string, string> = { insufficient_balance: 'insufficient balance', due_reminder: 'due reminder', overdue: 'overdue', receipt: 'receipt' };
/** The expectation that says which of a tenant's invoices never appeared (checks/invoices-exist.ts). */
const MISSING_INVOICES = 'invoices-exist';

/** Money and times as the tenant's customers read them: its currency's locale, its zone (formatted here, at the edge). */
function formats(t: TenantRow) {
  const locale = mailLocale(t.currency);
  return {
    money: (minor: bigint, currency = t.currency) => formatMoney(minor, { currency, exponent: currency === t.currency ? t.currency_exponent : intlExponent(currency) }, locale.amounts),
    instant: (d: Date) => formatInstant(d, t.timezone, locale.dates),
    date: (d: Date) => formatDate(d, t.timezone, locale.dates),
    period: (a: Date, b: Date) => formatPeriod(a, b, t.timezone, locale.dates),
  };
}

/**
 * `/console/billing` (mounted under /console): a tenant key sees its own
 * billing (accounts with balances and open invoices, invoices by status with
 * the missing-invoice expectation beside them, notices sent); the admin key
 * sees the tenants and opens each one's view. Another tenant's view is a 404.
 */
export function billingPages(deps: { billing: BillingOverview; expectations: ExpectationReads; signedIn: MiddlewareHandler<Env>; html: Render }): Hono<Env> {
  const { billing, signedIn, html } = deps;
  const app = new Hono<Env>();
  const notFound = (c: Context<Env>) => html(c, NotFoundPage({ viewer: viewerOf(c.get('session')), back: { href: '/console/billing', label: 'Back to billing' } }), 404);

  async function missing(t: TenantRow, f: ReturnType<typeof formats>): Promise<MissingInvoices | null> {
    const d = await deps.expectations.detail(MISSING_INVOICES, t.id, 1);
    if (!d) return null;
    const r = d.latest;
    const href = `/console/expectations/${MISSING_INVOICES}`;
    if (!r) return { href, title: d.row.title, outcome: null, text: 'not evaluated yet.', lagging: [] };
    const lagging = r.sample.map((s) => `subscription ${String(s.subscription_id)}: ${String(s.weight ?? 1)} missing${typeof s.since === 'string' ? ` since ${f.instant(new Date(s.since))}` : ''}`);
    return { href, title: d.row.title, outcome: r.outcome, text: `${r.failingCount} missing, evaluated ${f.instant(r.evaluatedAt)}.`, lagging };
  }

  async function tenantView(c: Context<Env>, t: TenantRow): Promise<TenantBilling> {
    const f = formats(t);
    const raw = c.req.query('status');
    const status = STATUSES.includes(raw as InvoiceStatus) ? (raw as InvoiceStatus) : undefined;
    const base = c.get('session').kind === 'admin' ? `/console/billing/tenants/${t.id}` : '/console/billing';
    const [accounts, counts, invoices, notices, miss] = await Promise.all([
      billing.accounts(t, 100),
      billing.invoiceCounts(t.id),
      billing.invoices(t.id, status, PAGE, decodeCursor(c.req.query('after'))),
      billing.notices(t.id, PAGE, decodeCursor(c.req.query('notices_after'))),
      missing(t, f),
    ]);
    const names = await billing.accountNames(t.id, invoices.map((i) => i.account_id));
    const lastInvoice = invoices.length === PAGE ? invoices[PAGE - 1] : undefined;
    const lastNotice = notices.length === PAGE ? notices[PAGE - 1] : undefined;
    return {
      id: t.id,
      slug: t.slug,
      name: t.name,
      currency: t.currency,
      zone: t.timezone,
      accountsTotal: accounts.total,
      accounts: accounts.rows.map((a) => ({ name: a.name, email: a.email, balance: f.money(a.balance), openInvoices: a.openInvoices, owed: f.money(a.owed) })),
      statusCounts: [
        { status: 'all', count: Object.values(counts).reduce((n, x) => n + (x ?? 0), 0), href: `${base}#invoices`, current: status === undefined },
        ...STATUSES.map((s) => ({ status: s, count: counts[s] ?? 0, href: `${base}${query({ status: s })}#invoices`, current: status === s })),
      ],
      invoices: invoices.map((i) => ({
        period: f.period(i.period_start, i.period_end),
        account: names.get(i.account_id) ?? i.account_id,
        amount: f.money(i.amount_due, i.currency),
        status: i.status,
        due: f.date(i.due_at),
        paid: i.paid_at ? f.instant(i.paid_at) : null,
      })),
      nextInvoices: lastInvoice ? `${base}${query({ status, after: encodeCursor({ at: lastInvoice.period_start, id: lastInvoice.id }) })}#invoices` : null,
      notices: notices.map((n) => ({ kind: NOTICE_LABEL[n.kind] ?? n.kind, status: n.status, account: typeof n.payload.account_name === 'string' ? n.payload.account_name : n.account_id, at: f.instant(n.created_at) })),
      nextNotices: lastNotice ? `${base}${query({ status, notices_after: encodeCursor({ at: lastNotice.created_at, id: lastNotice.id }) })}#notices` : null,
      missing: miss,
    };
  }

  app.get('/billing', signedIn, async (c) => {
    const s = c.get('session');
    if (s.kind !== 'admin') {
      const t = s.tenantId ? await billing.tenant(s.tenantId) : undefined;
      if (!t) return notFound(c);
      return html(c, TenantBillingPage({ viewer: viewerOf(s), t: await tenantView(c, t) }));
    }
    const after = c.req.query('after');
    const rows = await billing.tenants(PAGE, after && after.length <= 63 ? after : undefined);
    const last = rows.length === PAGE ? rows[PAGE - 1] : undefined;
    return html(
      c,
      TenantsPage({
        viewer: viewerOf(s),
        tenants: rows.map((t) => ({ id: t.id, slug: t.slug, name: t.name, currency: t.currency, zone: t.timezone, accounts: t.accounts, openInvoices: t.open_invoices })),
        next: last ? `/console/billing${query({ after: last.slug })}` : null,
      }),
    );
  });

  app.get('/billing/tenants/:id', signedIn, async (c) => {
    const s = c.get('session');
    const id = c.req.param('id');
    // A tenant key opens only its own view; another tenant's id is not found.
    const t = UUID.test(id) && (s.kind === 'admin' || s.tenantId === id) ? await billing.tenant(id) : undefined;
    if (!t) return notFound(c);
    return html(c, TenantBillingPage({ viewer: viewerOf(s), t: await tenantView(c, t) }));
  });
  return app;
}
