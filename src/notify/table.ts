import type { ColumnType, Generated } from 'kysely';

type Json<T> = ColumnType<T, string, string>;
export type DeliveryState = 'pending' | 'sending' | 'sent' | 'failed' | 'dead' | 'skipped';

export interface SubscriberTable {
  id: string;
  page_id: string;
  channel: 'email' | 'webhook';
  email: string | null;
  url: string | null;
  secret: string | null;
  component_ids: string[];
  confirmed_at: Date | null;
  unsubscribed_at: Date | null;
  quarantined_at: Date | null;
  failing_since: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface EmailPayload {
  kind: 'email';
  to: string;
  subject: string;
  text: string;
  html: string;
  /** One-click unsubscribe URL (List-Unsubscribe), when the mail has one. */
  unsubscribeUrl: string | null;
}

export interface WebhookPayload {
  kind: 'webhook';
  url: string;
  type: string;
  body: Record<string, unknown>;
}

/** A private alert to an operator's channel: rendered at send time by the channel's kind (secrets are never in the outbox). */
export interface AlertPayload {
  kind: 'alert';
  alert: Record<string, unknown>;
}

export interface DeliveryTable {
  id: string;
  event_key: string;
  recipient: string;
  channel: 'email' | 'webhook' | 'alert';
  subscriber_id: string | null;
  /** An operator's alert channel (channel 'alert'); its sender is alerting's. */
  channel_id: string | null;
  payload: Json<EmailPayload | WebhookPayload | AlertPayload>;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: Date;
  lease_until: Date | null;
  last_error: string | null;
  sent_at: Date | null;
  created_at: Date;
}

export interface MailboxTable {
  id: Generated<bigint>;
  delivery_id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Json<Record<string, string>>;
  created_at: Date;
}
