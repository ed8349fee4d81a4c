import { InvalidScheduleError, normalizeTimeZone, parseClientSchedule } from '../time/cron.js';

/** Fields a v3 create/update may set; absent means "leave as is" (or the default on create). */
export interface CheckSpec {
  name?: string;
  slug?: string;
  tags?: string;
  desc?: string;
  timeout?: number;
  grace?: number;
  schedule?: string;
  tz?: string;
  manual_resume?: boolean;
  methods?: '' | 'POST';
  start_kw?: string;
  success_kw?: string;
  failure_kw?: string;
  filter_http_body?: boolean;
  filter_default_fail?: boolean;
  failure_threshold?: number;
  recovery_threshold?: number;
  component_id?: string;
  /** Seconds; null clears the bound. */
  min_duration?: number | null;
  max_duration?: number | null;
  unique?: ('name' | 'slug' | 'tags' | 'timeout' | 'grace')[];
}

type Rule =
  | { type: 'string'; maxLength?: number; pattern?: RegExp }
  | { type: 'integer'; min: number; max: number; nullable?: boolean }
  | { type: 'boolean' }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'array'; items: readonly string[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const RULES: Record<string, Rule> = {
  name: { type: 'string', maxLength: 100 },
  slug: { type: 'string', maxLength: 100, pattern: /^[a-z0-9-_]*$/ },
  tags: { type: 'string', maxLength: 500 },
  desc: { type: 'string', maxLength: 10_000 },
  // Overdue accepts periods from 1 s (healthchecks: 60 s) so tests and demos run in real time.
  timeout: { type: 'integer', min: 1, max: 31_536_000 },
  grace: { type: 'integer', min: 1, max: 31_536_000 },
  schedule: { type: 'string', maxLength: 100 },
  tz: { type: 'string', maxLength: 36 },
  manual_resume: { type: 'boolean' },
  methods: { type: 'enum', values: ['', 'POST'] },
  channels: { type: 'string' },
  start_kw: { type: 'string', maxLength: 200 },
  success_kw: { type: 'string', maxLength: 200 },
  failure_kw: { type: 'string', maxLength: 200 },
  filter_http_body: { type: 'boolean' },
  filter_default_fail: { type: 'boolean' },
  // Email-only settings in healthchecks: accepted for compatibility, not used for HTTP pings.
  subject: { type: 'string', maxLength: 200 },
  subject_fail: { type: 'string', maxLength: 200 },
  filter_subject: { type: 'boolean' },
  filter_body: { type: 'boolean' },
  failure_threshold: { type: 'integer', min: 1, max: 720 },
  recovery_threshold: { type: 'integer', min: 1, max: 720 },
  component_id: { type: 'string', pattern: UUID },
  // Overdue's run bounds (seconds): a run shorter or longer counts as a failure; null removes the bound.
  min_duration: { type: 'integer', min: 1, max: 31_536_000, nullable: true },
  max_duration: { type: 'integer', min: 1, max: 31_536_000, nullable: true },
  unique: { type: 'array', items: ['name', 'slug', 'tags', 'timeout', 'grace'] },
};

const IGNORED = new Set(['api_key', 'channels', 'subject', 'subject_fail', 'filter_subject', 'filter_body']);

function problem(rule: Rule, value: unknown): string | undefined {
  switch (rule.type) {
    case 'string':
      if (typeof value !== 'string') return 'is not a string';
      if (rule.maxLength !== undefined && value.length > rule.maxLength) return 'is too long';
      if (rule.pattern && !rule.pattern.test(value)) return 'does not match pattern';
      return undefined;
    case 'integer':
      if (value === null && rule.nullable) return undefined;
      if (typeof value !== 'number' || !Number.isInteger(value)) return 'is not a number';
      if (value < rule.min) return 'is too small';
      if (value > rule.max) return 'is too large';
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'is not a boolean';
    case 'enum':
      return typeof value === 'string' && rule.values.includes(value) ? undefined : 'has unexpected value';
    case 'array':
      if (!Array.isArray(value)) return 'is not an array';
      return value.every((v) => typeof v === 'string' && rule.items.includes(v)) ? undefined : 'has unexpected value';
  }
}

/**
 * Validates a v3 request body. Returns the spec, or the healthchecks error
 * text for a 400. Unknown fields are ignored, as healthchecks does.
 */
export function validateCheckSpec(body: unknown): { spec: CheckSpec } | { error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { error: 'json validation error: value is not an object' };
  const spec: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body)) {
    const rule = RULES[field];
    if (!rule) continue;
    const wrong = problem(rule, value);
    if (wrong) return { error: `json validation error: ${field} ${wrong}` };
    if (!IGNORED.has(field)) spec[field] = value;
  }
  const s = spec as CheckSpec;
  if (typeof s.min_duration === 'number' && typeof s.max_duration === 'number' && s.min_duration >= s.max_duration) {
    return { error: 'json validation error: min_duration must be less than max_duration' };
  }
  if (s.tz !== undefined) {
    const tz = normalizeTimeZone(s.tz);
    if (!tz) return { error: 'tz is not a valid timezone' };
    s.tz = tz;
  }
  if (s.schedule !== undefined) {
    try {
      s.schedule = parseClientSchedule(s.schedule, s.tz ?? 'UTC').expression;
    } catch (err) {
      if (!(err instanceof InvalidScheduleError)) throw err;
      return { error: err.message.endsWith('once a year') ? err.message : 'schedule is not a valid cron or OnCalendar expression' };
    }
  }
  return { spec: s };
}
