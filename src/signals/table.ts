import type { ColumnType, Generated } from 'kysely';

type Json<T> = ColumnType<T, string, string>;

export type SignalKind = 'failing' | 'update' | 'recovered';

/**
 * What monitors say happened to a source (`check:<id>`, `expectation:<id>`),
 * written by the producer in the transaction of the change it reports and
 * consumed once, per source in order, by incidents (and alerting).
 */
export interface SignalTable {
  id: Generated<bigint>;
  source: string;
  kind: SignalKind;
  tenant_id: string | null;
  component: string | null;
  severity: string;
  summary: string;
  evidence: Json<Record<string, unknown>>;
  likely_cause: string | null;
  created_at: Date;
  /** Handled by the incident loop (or parked: see parked_at). */
  processed_at: Date | null;
  /** Turned into a private alert event by alerting (its own cursor). */
  alerted_at: Date | null;
  /** Failed attempts of the incident loop on this signal; retried at retry_at, parked after too many. */
  attempts: ColumnType<number, number | undefined, number>;
  retry_at: Date | null;
  parked_at: Date | null;
  last_error: string | null;
}

export type AlertSeverity = 'critical' | 'warning' | 'info';

/**
 * Something the operators must hear about privately, at once: a monitor's
 * signal (written by alerting from `signals`), or the service's own trouble
 * (a signal parked, a delivery dead, a subscriber or channel quarantined, an
 * incident published or resolved). Alerting dispatches each row once to the
 * owner's channels. `tenant_id` null is the platform.
 */
export interface AlertEventTable {
  id: Generated<bigint>;
  tenant_id: string | null;
  /** The monitored source (`check:<id>`, `expectation:<id>`) whose routing applies; null: the owner's channels. */
  source: string | null;
  kind: string;
  severity: AlertSeverity;
  title: string;
  text: string;
  details: Json<Record<string, unknown>>;
  signal_id: bigint | null;
  created_at: Date;
  dispatched_at: Date | null;
}
