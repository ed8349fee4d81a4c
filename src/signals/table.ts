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
  processed_at: Date | null;
}
