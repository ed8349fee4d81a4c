import { Outcome } from './expectations.js';
import { Page } from './layout.js';
import type { Viewer } from './view.js';

export interface TenantItem {
  id: string;
  slug: string;
  name: string;
  currency: string;
  zone: string;
  accounts: number;
  openInvoices: number;
}

export interface AccountItem {
  name: string;
  email: string;
  balance: string;
  openInvoices: number;
  owed: string;
}

export interface InvoiceItem {
  period: string;
  account: string;
  amount: string;
  status: string;
  due: string;
  paid: string | null;
}

export interface NoticeItem {
  kind: string;
  status: string;
  account: string;
  at: string;
}

/** The missing-invoice expectation for this tenant: its latest part, and the subscriptions it found lagging. */
export interface MissingInvoices {
  href: string;
  title: string;
  outcome: string | null;
  text: string;
  lagging: string[];
}

export interface TenantBilling {
  id: string;
  slug: string;
  name: string;
  currency: string;
  zone: string;
  accountsTotal: number;
  accounts: AccountItem[];
  statusCounts: { status: string; count: number; href: string; current: boolean }[];
  invoices: InvoiceItem[];
  nextInvoices: string | null;
  notices: NoticeItem[];
  nextNotices: string | null;
  missing: MissingInvoices | null;
}

export function TenantsPage(props: { viewer: Viewer; tenants: TenantItem[]; next: string | null }) {
  return (
    <Page title="Billing" current="/console/billing" viewer={props.viewer}>
      <h1>Billing: tenants</h1>
      {props.tenants.length === 0 ? (
        <p class="empty">No tenants yet: create one with <code>POST /api/v1/tenants</code>.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Tenant</th>
              <th scope="col">Name</th>
              <th scope="col">Currency</th>
              <th scope="col">Time zone</th>
              <th scope="col">Accounts</th>
              <th scope="col">Open invoices</th>
            </tr>
          </thead>
          <tbody>
            {props.tenants.map((t) => (
              <tr>
                <td>
                  <a href={`/console/billing/tenants/${t.id}`}>{t.slug}</a>
                </td>
                <td>{t.name}</td>
                <td>{t.currency}</td>
                <td>{t.zone}</td>
                <td>{t.accounts}</td>
                <td>{t.openInvoices}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.next ? (
        <p>
          <a href={props.next} rel="next">
            Next page
          </a>
        </p>
      ) : null}
    </Page>
  );
}

export function TenantBillingPage(props: { viewer: Viewer; t: TenantBilling }) {
  const { t } = props;
  return (
    <Page title={`Billing: ${t.name}`} current="/console/billing" viewer={props.viewer}>
      {props.viewer.admin ? (
        <p>
          <a href="/console/billing">← Tenants</a>
        </p>
      ) : null}
      <h1>Billing: {t.name}</h1>
      <p class="muted">
        {t.slug} · amounts in {t.currency} · times in {t.zone}
      </p>

      <h2>Missing invoices</h2>
      {t.missing ? (
        <div>
          <p>
            <a href={t.missing.href}>{t.missing.title}</a>: {t.missing.outcome ? <Outcome outcome={t.missing.outcome} /> : null} {t.missing.text}
          </p>
          {t.missing.lagging.length ? (
            <ul>
              {t.missing.lagging.map((l) => (
                <li>{l}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : (
        <p class="muted">The missing-invoice expectation (invoices-exist) is not loaded.</p>
      )}

      <h2>Accounts</h2>
      {t.accounts.length === 0 ? (
        <p>No customer accounts yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Email</th>
              <th scope="col">Balance</th>
              <th scope="col">Open invoices</th>
              <th scope="col">Owed</th>
            </tr>
          </thead>
          <tbody>
            {t.accounts.map((a) => (
              <tr>
                <td>{a.name}</td>
                <td>{a.email}</td>
                <td>{a.balance}</td>
                <td>{a.openInvoices}</td>
                <td>{a.owed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {t.accountsTotal > t.accounts.length ? <p class="muted">The newest {t.accounts.length} of {t.accountsTotal} accounts.</p> : null}

      <h2 id="invoices">Invoices</h2>
      <nav aria-label="Invoices by status">
        <ul class="tabs">
          {t.statusCounts.map((s) => (
            <li>
              <a href={s.href} aria-current={s.current ? 'page' : undefined}>
                {s.status} ({s.count})
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {t.invoices.length === 0 ? (
        <p>No invoices here.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Period</th>
              <th scope="col">Account</th>
              <th scope="col">Amount</th>
              <th scope="col">Status</th>
              <th scope="col">Due</th>
              <th scope="col">Paid</th>
            </tr>
          </thead>
          <tbody>
            {t.invoices.map((i) => (
              <tr>
                <td>{i.period}</td>
                <td>{i.account}</td>
                <td>{i.amount}</td>
                <td>{i.status}</td>
                <td>{i.due}</td>
                <td>{i.paid ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {t.nextInvoices ? (
        <p>
          <a href={t.nextInvoices} rel="next">
            More invoices
          </a>
        </p>
      ) : null}

      <h2 id="notices">Notices sent</h2>
      {t.notices.length === 0 ? (
        <p>No reminders, receipts or other notices yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Notice</th>
              <th scope="col">Account</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {t.notices.map((n) => (
              <tr>
                <td>{n.at}</td>
                <td>{n.kind}</td>
                <td>{n.account}</td>
                <td>{n.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {t.nextNotices ? (
        <p>
          <a href={t.nextNotices}>More notices</a>
        </p>
      ) : null}
    </Page>
  );
}
