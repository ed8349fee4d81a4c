import type { ColumnType, Generated } from 'kysely';

/** too_fast / too_slow: a run shorter than min_duration or longer than max_duration. */
export type FlipReason = '' | 'timeout' | 'fail' | 'too_fast' | 'too_slow';
export type StoredStatus = 'new' | 'up' | 'down' | 'paused';
export type CheckKind = 'simple' | 'cron';
/** null = success. */
export type PingKind = 'start' | 'fail' | 'log' | 'ign' | null;

export interface PingKeyTable {
  ping_key: string;
  tenant_id: string | null;
  created_at: Date;
}

export interface CheckTable {
  id: string;
  tenant_id: string | null;
  ping_key: string;
  name: Generated<string>;
  slug: Generated<string>;
  tags: Generated<string>;
  description: Generated<string>;
  kind: CheckKind;
  timeout_s: number;
  grace_s: number;
  schedule: Generated<string>;
  tz: Generated<string>;
  methods: Generated<'' | 'POST'>;
  manual_resume: Generated<boolean>;
  filter_http_body: Generated<boolean>;
  filter_default_fail: Generated<boolean>;
  start_kw: Generated<string>;
  success_kw: Generated<string>;
  failure_kw: Generated<string>;
  failure_threshold: Generated<number>;
  recovery_threshold: Generated<number>;
  component_id: string | null;
  status: Generated<StoredStatus>;
  last_ping: Date | null;
  last_start: Date | null;
  last_start_rid: string | null;
  last_duration_ms: ColumnType<bigint | null, bigint | number | null, bigint | number | null>;
  reference_at: Date | null;
  recent_outcomes: Generated<string>;
  n_pings: ColumnType<bigint, bigint | number | undefined, bigint | number>;
  has_confirmation_link: Generated<boolean>;
  alert_after: Date | null;
  rearmed_after_outage: Generated<boolean>;
  /** Runs started and not yet closed: run id ('' for none) → start (ISO) and whether it was reported too slow. */
  open_runs: ColumnType<OpenRuns, OpenRuns | string | undefined, OpenRuns | string>;
  /** A run closing sooner than this (seconds) counts as a failure; null: no lower bound. */
  min_duration_s: number | null;
  /** A run still open after this (seconds) counts as a failure; null: no upper bound. */
  max_duration_s: number | null;
  /** A pause with an end: the check resumes by itself then. */
  paused_until: Date | null;
  /** A maintenance window holds the check's deadline until then (the window's end). */
  silenced_until: Date | null;
  /** After a pause or window ended: said by the next down flip, cleared by a success. */
  silence_note: Generated<string>;
  created_at: Date;
  updated_at: Date;
}

export type OpenRuns = Record<string, { at: string; late?: true }>;

export interface PingTable {
  check_id: string;
  n: ColumnType<bigint, bigint | number, never>;
  created: Date;
  kind: PingKind;
  scheme: string;
  remote_addr: string | null;
  method: string;
  ua: string;
  body: Uint8Array | null;
  exitstatus: number | null;
  rid: string | null;
  scheduled_for: Date | null;
  /** The run this success or fail closed; null when it closed none. */
  duration_ms: ColumnType<bigint | null, bigint | number | null | undefined, never>;
}

export interface FlipTable {
  id: Generated<bigint>;
  check_id: string;
  tenant_id: string | null;
  created: Date;
  detected_at: Date;
  processed: Date | null;
  old_status: StoredStatus;
  new_status: StoredStatus;
  reason: FlipReason;
  detail: Generated<string>;
}

/** One badge id per owner (tenant, or null for the platform); see migration 0020. */
export interface BadgeKeyTable {
  badge_id: string;
  tenant_id: string | null;
  created_at: Date;
}
