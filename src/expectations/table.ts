import type { ColumnType, Generated } from 'kysely';

type Json<T> = ColumnType<T, string, string>;
export type Outcome = 'pass' | 'warn' | 'fail' | 'error' | 'unknown';
export type Severity = 'minor' | 'major' | 'critical';

export interface ExpectationTable {
  id: string;
  title: string;
  component: string | null;
  kind: 'slots' | 'freshness' | 'volume' | 'invariant';
  scope: 'platform' | 'forEachTenant';
  severity: Severity;
  schedule: Json<unknown>;
  failure_threshold: number;
  recovery_threshold: number;
  remediation: string | null;
  source_file: string;
  checksum: string;
  archived_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** What started an evaluation. */
export type Trigger = 'schedule' | 'api' | 'reverify';

export interface ExpectationResultTable {
  id: Generated<bigint>;
  expectation_id: string;
  evaluated_at: Date;
  outcome: Outcome;
  observed_value: ColumnType<bigint | null, bigint | number | null, never>;
  failing_count: number;
  sample: Json<Record<string, unknown>[]>;
  by_tenant: Json<Record<string, number>>;
  window_start: Date | null;
  window_end: Date | null;
  duration_ms: number;
  trigger: Trigger;
  summary: string;
  error: string | null;
}

export interface ExpectationStateTable {
  expectation_id: string;
  status: 'passing' | 'failing';
  consecutive_failures: number;
  consecutive_passes: number;
  last_outcome: Outcome | null;
  last_result_id: bigint | null;
  failing_since: Date | null;
  last_evaluated_at: Date | null;
  resumed_at: Date | null;
  gap_start: Date | null;
  /** The end of the maintenance window that held the last evaluation (no failing flip until it ends). */
  silenced_until: Date | null;
  /** What the next failing flip says of the window before it ("after a maintenance window that ended at …"). */
  silence_note: Generated<string>;
  updated_at: Date;
}

export interface RemediationTable {
  id: Generated<bigint>;
  expectation_id: string;
  tenant_id: string;
  slot: Date;
  state: 'running' | 'succeeded' | 'failed';
  attempts: number;
  claimed_by: string;
  lease_until: Date;
  outcome: Json<Record<string, unknown>> | null;
  error: string | null;
  created_at: Date;
  updated_at: Date;
}
