import { Outcome } from './expectations.js';
import { Page } from './layout.js';
import { FilterTabs, ListTable, NextPageLink } from './list-parts.js';
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
        <ListTable columns={['Tenant', 'Name', 'Currency', 'Time zone', 'Accounts', 'Open invoices']}>
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
        </ListTable>
      )}
      <NextPageLink href={props.next} />
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
        <ListTable columns={['Account', 'Email', 'Balance', 'Open invoices', 'Owed']}>
          {t.accounts.map((a) => (
            <tr>
              <td>{a.name}</td>
              <td>{a.email}</td>
              <td>{a.balance}</td>
              <td>{a.openInvoices}</td>
              <td>{a.owed}</td>
            </tr>
          ))}
        </ListTable>
      )}
      {t.accountsTotal > t.accounts.length ? <p class="muted">The newest {t.accounts.length} of {t.accountsTotal} accounts.</p> : null}

      <h2 id="invoices">Invoices</h2>
      <FilterTabs label="Invoices by status" tabs={t.statusCounts.map((s) => ({ ...s, label: s.status }))} />
      {t.invoices.length === 0 ? (
        <p>No invoices here.</p>
      ) : (
        <ListTable columns={['Period', 'Account', 'Amount', 'Status', 'Due', 'Paid']}>
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
        </ListTable>
      )}
      <NextPageLink href={t.nextInvoices} label="More invoices" />

      <h2 id="notices">Notices sent</h2>
      {t.notices.length === 0 ? (
        <p>No reminders, receipts or other notices yet.</p>
      ) : (
        <ListTable columns={['When', 'Notice', 'Account', 'Status']}>
          {t.notices.map((n) => (
            <tr>
              <td>{n.at}</td>
              <td>{n.kind}</td>
              <td>{n.account}</td>
              <td>{n.status}</td>
            </tr>
          ))}
        </ListTable>
      )}
      {t.nextNotices ? (
        <p>
          <a href={t.nextNotices}>More notices</a>
        </p>
      ) : null}
    </Page>
  );
}
