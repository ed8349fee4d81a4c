/** Billing's public module. */
export { billingModule, type BillingRepairs } from './module.js';
export type { PaymentProvider } from './providers.js';
