/** Billing's public module. */
export { billingModule, type BillingRepairs } from './module.js';
export type { PaymentProvider } from './providers.js';
export { billingOverview, type BillingOverview, type AccountSummary, type InvoiceRow, type NoticeRow, type TenantRow, type TenantSummaryRow, type InvoiceStatus } from './overview.js';
