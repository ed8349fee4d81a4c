import { createHash } from 'node:crypto';
import type { Kysely, RawBuilder } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { InvalidScheduleError, normalizeTimeZone, parseClientSchedule } from '../time/cron.js';
import type { Severity } from './table.js';

/** What every query of a definition gets: the database and the instant it is evaluated as of. */
export interface EvalContext {
  db: Kysely<Database>;
  asOf: Date;
}

/** For `slots`: per tenant, the newest schedule slot whose grace has passed (parallel arrays, for unnest). */
export interface SlotsContext extends EvalContext {
  tenantIds: string[];
  slots: Date[];
}

export interface WindowContext extends EvalContext {
  from: Date;
  to: Date;
}

/**
 * A query that returns rows. Failing-row queries return `tenant_id` (null for
 * platform rows), optionally `weight` (how many units the row stands for, e.g.
 * missing invoices) and `since` (the oldest missing slot or period), plus key
 * columns kept in the sample.
 */
export type Query = RawBuilder<Record<string, unknown>> | { compile(): unknown; toOperationNode(): unknown };

export type EvalSchedule = { everyS: number } | { cron: string; tz: string };

interface Common {
  id: string;
  title: string;
  /** The status page component this affects (a component key; linked by the incidents feature). */
  component?: string;
  schedule?: EvalSchedule;
  scope: 'platform' | 'forEachTenant';
  severity?: Severity;
  failureThreshold?: number;
  recoveryThreshold?: number;
  /** A named remediation (see remediations.ts). */
  remediation?: 'invoice-run' | 'settle';
  /** A scheduler job whose heartbeat being down is the likely cause, `{tenant}` standing for the tenant slug. */
  relatedJob?: string;
  /** What a failing row counts, for summaries ("invoices", "accounts"). */
  unit?: string;
  /** Human description of what the check asserts. */
  description?: string;
  /** Names of the platform's alert channels to tell (default: the platform's default channels). */
  channels?: string[];
}

export type ExpectationDefinition =
  | (Common & {
      kind: 'slots';
      /** Whose slots: the tenant's invoice-run schedule and grace, or a fixed schedule for every tenant. */
      slots: { schedule: 'tenant-invoice-schedule'; grace: 'tenant-invoice-grace' } | { schedule: { cron: string; tz: string }; graceS: number };
      missing(ctx: SlotsContext): Query;
    })
  | (Common & { kind: 'freshness'; newest(ctx: EvalContext): Query; warnAfterS?: number; failAfterS: number })
  | (Common & {
      kind: 'volume';
      windowS: number;
      count(ctx: WindowContext): Query;
      min?: number;
      max?: number;
      /** Bounds relative to the mean of the previous windows: fail outside mean × (1 ± tolerance). */
      relative?: { previousWindows: number; tolerance: number };
    })
  | (Common & { kind: 'invariant'; failing(ctx: EvalContext): Query; warnOnly?: boolean });

export interface HeartbeatDefinition {
  id: string;
  title: string;
  component?: string;
  schedule: { periodS: number } | { cron: string; tz: string };
  graceS: number;
  /** A run (start → success with the same rid) shorter than this many seconds counts as a failure. */
  minDurationS?: number;
  /** A started run still open after this many seconds counts as a failure. */
  maxDurationS?: number;
  /** Names of the platform's alert channels to tell (default: the platform's default channels). */
  channels?: string[];
}

export type CheckDefinition = { type: 'expectation'; def: ExpectationDefinition } | { type: 'heartbeat'; def: HeartbeatDefinition };

const ID = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'id must be 2–63 characters of a-z, 0-9 and -');
const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'must be a function');
const cron = z
  .object({ cron: z.string(), tz: z.string() })
  .superRefine((v, ctx) => {
    const tz = normalizeTimeZone(v.tz);
    if (!tz) return ctx.addIssue({ code: 'custom', message: `unknown time zone ${v.tz}` });
    try {
      parseClientSchedule(v.cron, tz);
    } catch (err) {
      if (!(err instanceof InvalidScheduleError)) throw err;
      ctx.addIssue({ code: 'custom', message: `bad cron expression: ${err.message}` });
    }
  });
const common = {
  id: ID,
  title: z.string().min(1).max(200),
  component: z.string().min(1).max(100).optional(),
  schedule: z.union([z.object({ everyS: z.number().int().min(1).max(86_400) }), cron]).optional(),
  scope: z.enum(['platform', 'forEachTenant']),
  severity: z.enum(['minor', 'major', 'critical']).optional(),
  failureThreshold: z.number().int().min(1).max(720).optional(),
  recoveryThreshold: z.number().int().min(1).max(720).optional(),
  remediation: z.enum(['invoice-run', 'settle']).optional(),
  relatedJob: z.string().min(1).optional(),
  unit: z.string().min(1).max(50).optional(),
  description: z.string().max(2000).optional(),
  channels: z.array(z.string().min(1).max(100)).max(20).optional(),
};
const expectationSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    ...common,
    kind: z.literal('slots'),
    slots: z.union([
      z.strictObject({ schedule: z.literal('tenant-invoice-schedule'), grace: z.literal('tenant-invoice-grace') }),
      z.strictObject({ schedule: cron, graceS: z.number().int().min(1) }),
    ]),
    missing: fn,
  }),
  z.strictObject({ ...common, kind: z.literal('freshness'), newest: fn, warnAfterS: z.number().int().min(1).optional(), failAfterS: z.number().int().min(1) }),
  z.strictObject({
    ...common,
    kind: z.literal('volume'),
    windowS: z.number().int().min(1),
    count: fn,
    min: z.number().int().min(0).optional(),
    max: z.number().int().min(0).optional(),
    relative: z.strictObject({ previousWindows: z.number().int().min(1).max(100), tolerance: z.number().min(0).max(10) }).optional(),
  }),
  z.strictObject({ ...common, kind: z.literal('invariant'), failing: fn, warnOnly: z.boolean().optional() }),
]);
const heartbeatSchema = z.strictObject({
  id: ID,
  title: z.string().min(1).max(200),
  component: z.string().min(1).max(100).optional(),
  schedule: z.union([z.strictObject({ periodS: z.number().int().min(1).max(31_536_000) }), cron]),
  graceS: z.number().int().min(1).max(31_536_000),
  minDurationS: z.number().int().min(1).max(31_536_000).optional(),
  maxDurationS: z.number().int().min(1).max(31_536_000).optional(),
  channels: z.array(z.string().min(1).max(100)).max(20).optional(),
}).refine((d) => d.minDurationS === undefined || d.maxDurationS === undefined || d.minDurationS < d.maxDurationS, {
  message: 'minDurationS must be less than maxDurationS',
  path: ['minDurationS'],
});

const BRAND = Symbol.for('overdue.check-definition');

function issues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(definition)'}: ${i.message}`).join('; ');
}

/** Declares an expectation; validated when `checks/` is loaded. */
export function defineExpectation(def: ExpectationDefinition): CheckDefinition {
  return Object.assign({ type: 'expectation' as const, def }, { [BRAND]: true });
}

/** Declares a heartbeat check a deployment monitors (a job outside Overdue pings it). */
export function defineHeartbeat(def: HeartbeatDefinition): CheckDefinition {
  return Object.assign({ type: 'heartbeat' as const, def }, { [BRAND]: true });
}

export function isCheckDefinition(v: unknown): v is CheckDefinition {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[BRAND] === true;
}

/** The validation error of a definition, or undefined when it is valid. */
export function definitionError(c: CheckDefinition): string | undefined {
  const parsed = c.type === 'expectation' ? expectationSchema.safeParse(c.def) : heartbeatSchema.safeParse(c.def);
  if (parsed.success) {
    const d = c.def as ExpectationDefinition;
    if (c.type === 'expectation' && d.kind === 'volume' && d.min === undefined && d.max === undefined && !d.relative) return 'a volume expectation needs min, max or relative';
    return undefined;
  }
  return issues(parsed.error);
}

export const DEFAULT_EVAL_SCHEDULE: EvalSchedule = { everyS: 60 };

/** A hash of everything that defines the expectation, query code included. */
export function checksum(def: ExpectationDefinition | HeartbeatDefinition): string {
  const parts = Object.entries(def)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => [k, typeof v === 'function' ? v.toString() : v]);
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}
