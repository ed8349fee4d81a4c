// A real Prometheus text parser (parse-prometheus-text-format, prom2json-compatible output) for
// asserting on /metrics and /api/v3/metrics/ output as a scraper would read it.
// @ts-expect-error the package ships no type declarations
import parse from 'parse-prometheus-text-format';

export interface MetricFamily {
  name: string;
  help: string;
  type: 'GAUGE' | 'COUNTER' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string }[];
}

export function parsePrometheus(text: string): MetricFamily[] {
  return (parse as (t: string) => MetricFamily[])(text);
}

/** The families by name. */
export function familiesByName(text: string): Map<string, MetricFamily> {
  return new Map(parsePrometheus(text).map((f) => [f.name, f]));
}
