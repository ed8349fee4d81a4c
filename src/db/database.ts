import type { ApiKeyTable } from '../auth/table.js';
import type { DeliveryTable, MailboxTable, SubscriberTable } from '../notify/table.js';
import type {
  ComponentSourceTable,
  ComponentStatusLogTable,
  ComponentTable,
  IncidentComponentTable,
  IncidentSourceTable,
  IncidentTable,
  IncidentUpdateTable,
  NotificationEventTable,
  PageTable,
} from '../incidents/table.js';
import type { ExpectationResultTable, ExpectationStateTable, ExpectationTable, RemediationTable } from '../expectations/table.js';
import type { AlertEventTable, SignalTable } from '../signals/table.js';
import type { AlertChannelTable, AlertRoutingTable } from '../alerts/table.js';
import type { ConsoleSessionTable, ConsoleSignInFailureTable } from '../console/table.js';
import type {
  AccountTable,
  InvoicePaymentTable,
  InvoiceTable,
  LedgerAccountTable,
  LedgerEntryTable,
  LedgerTransactionTable,
  NoticeTable,
  SubscriptionTable,
  TenantTable,
} from '../billing/table.js';
import type { BadgeKeyTable, CheckTable, FlipTable, PingKeyTable, PingTable } from '../heartbeats/table.js';
import type { JobRunTable, JobTable } from '../scheduler/table.js';
import type { IdempotencyKeyTable } from '../http/idempotency.table.js';
import type { RateLimitTable } from '../http/rate-limit.table.js';
import type { ServiceStateTable } from './service-state.table.js';

/**
 * The whole schema, declared once as kysely types. Each feature owns its
 * `table.ts`; this interface only composes them. Conventions: money columns
 * are `bigint` (read back as JS bigint, see connect.ts), times `timestamptz`.
 */
export interface Database {
  api_keys: ApiKeyTable;
  service_state: ServiceStateTable;
  ping_keys: PingKeyTable;
  checks: CheckTable;
  pings: PingTable;
  flips: FlipTable;
  badge_keys: BadgeKeyTable;
  jobs: JobTable;
  job_runs: JobRunTable;
  idempotency_keys: IdempotencyKeyTable;
  rate_limits: RateLimitTable;
  tenants: TenantTable;
  accounts: AccountTable;
  ledger_accounts: LedgerAccountTable;
  ledger_transactions: LedgerTransactionTable;
  ledger_entries: LedgerEntryTable;
  subscriptions: SubscriptionTable;
  invoices: InvoiceTable;
  invoice_payments: InvoicePaymentTable;
  notices: NoticeTable;
  expectations: ExpectationTable;
  expectation_results: ExpectationResultTable;
  expectation_states: ExpectationStateTable;
  remediations: RemediationTable;
  signals: SignalTable;
  alert_events: AlertEventTable;
  alert_channels: AlertChannelTable;
  alert_routing: AlertRoutingTable;
  console_sessions: ConsoleSessionTable;
  console_sign_in_failures: ConsoleSignInFailureTable;
  pages: PageTable;
  components: ComponentTable;
  component_sources: ComponentSourceTable;
  component_status_log: ComponentStatusLogTable;
  incidents: IncidentTable;
  incident_sources: IncidentSourceTable;
  incident_components: IncidentComponentTable;
  incident_updates: IncidentUpdateTable;
  notification_events: NotificationEventTable;
  subscribers: SubscriberTable;
  deliveries: DeliveryTable;
  mailbox: MailboxTable;
}
