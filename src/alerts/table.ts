import type { ColumnType } from 'kysely';

type Json<T> = ColumnType<T, string, string>;

export type ChannelKind = 'email' | 'webhook' | 'slack' | 'discord' | 'msteams' | 'pagerduty' | 'ntfy';

export interface AlertChannelTable {
  id: string;
  /** null: the platform's channel. */
  tenant_id: string | null;
  kind: ChannelKind;
  name: string;
  /** What may be shown again: an email address, a URL's host, ntfy's server and topic. */
  config: Json<Record<string, unknown>>;
  /** The secret part sealed (see secret-box.ts): URLs with tokens, routing keys, signing secrets. */
  sealed_secret: string | null;
  is_default: boolean;
  /** Email channels alert only after their address confirmed a signed link. */
  confirmed_at: Date | null;
  failing_since: Date | null;
  quarantined_at: Date | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface AlertRoutingTable {
  source: string;
  tenant_id: string | null;
  channel_ids: string[];
  channel_names: string[];
  updated_at: Date;
}
