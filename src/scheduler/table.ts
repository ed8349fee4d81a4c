import type { ColumnType, Generated } from 'kysely';

export type CatchUpPolicy = 'skip' | 'latest' | 'all';
export type RunState = 'pending' | 'running' | 'succeeded' | 'failed' | 'timed_out' | 'skipped';

export interface JobTable {
  key: string;
  tenant_id: string | null;
  schedule: string | null;
  tz: string;
  interval_s: number | null;
  catch_up: CatchUpPolicy;
  catch_up_cap: number;
  max_run_s: number;
  max_attempts: number;
  check_id: string | null;
  known_since: Date;
  watermark: Date | null;
  paused: Generated<boolean>;
  updated_at: Date;
}

export interface JobRunTable {
  job_key: string;
  slot_at: Date;
  state: RunState;
  run_id: string;
  instance_id: string | null;
  attempt: Generated<number>;
  catch_up: Generated<boolean>;
  not_before: Date | null;
  lease_until: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  delay_ms: ColumnType<bigint | null, bigint | number | null, bigint | number | null>;
  error: string | null;
  created_at: Date;
}
