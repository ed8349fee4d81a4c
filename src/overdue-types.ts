import type { Hono } from 'hono';
import type { AlertChannels, AlertDispatcher } from './alerts/index.js';
import type { BackgroundWork, LoopSpec } from './background.js';
import type { PaymentProvider } from './billing/providers.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { DatabaseHandle } from './db/connect.js';
import type { MigrationList } from './db/migrate.js';
import type { SchemaGuard } from './db/schema-guard.js';
import type { LoadedCheck } from './expectations/loader.js';
import type { ExpectationService } from './expectations/service.js';
import type { AlertEvaluator } from './heartbeats/alerts.js';
import type { HeartbeatService } from './heartbeats/service.js';
import type { AppEnv } from './http/app.js';
import type { IncidentManager } from './incidents/manager.js';
import type { Logger } from './logger.js';
import type { MailSender } from './notify/senders.js';
import type { DeliveryWorker } from './notify/worker.js';
import type { JobDefinition, Scheduler } from './scheduler/index.js';
import type { PageCache } from './status/page-cache.js';
import type { Telemetry } from './telemetry.js';

/** What the composition root (overdue.ts) takes and gives: the service's shape, for main.ts and the tests. */

export interface OverdueDeps {
  config: Config;
  clock: Clock;
  logger: Logger;
  telemetry: Telemetry;
  database: DatabaseHandle;
  /** The code's migrations; tests pass other lists to simulate mismatched deployments. */
  migrations?: MigrationList;
  /** Background loops in addition to the built-in ones. */
  loops?: LoopSpec[];
  /** Scheduler jobs in addition to the built-in ones. */
  jobs?: JobDefinition[];
  /**
   * Whether the built-in jobs (retention, idempotency cleanup, the billing minute jobs and
   * per-tenant invoice runs, maintenance) are scheduled; default true. Tests of one job turn
   * them off so every run they see is the job under test. Expectation jobs still come from `checks`.
   */
  builtinJobs?: boolean;
  /** How external invoice payments are charged; by default, recorded as confirmed outside Overdue. */
  paymentProvider?: PaymentProvider;
  /** Checks-as-code to use instead of loading CHECKS_DIR (tests). */
  checks?: LoadedCheck[];
  /** How mail leaves (tests); by default SMTP_URL, else the local mailbox. */
  mailSender?: MailSender;
}

export interface Overdue {
  app: Hono<AppEnv>;
  schema: SchemaGuard;
  background: BackgroundWork;
  heartbeats: HeartbeatService;
  alerts: AlertEvaluator;
  scheduler: Scheduler;
  expectations: ExpectationService;
  incidents: IncidentManager;
  pageCache: PageCache;
  deliveries: DeliveryWorker;
  /** Operators' alert channels (also the routing port other features use). */
  alertChannels: AlertChannels;
  /** Signals and alert events → one outbox row per event and channel (the `alerts` loop). */
  alertDispatcher: AlertDispatcher;
  /** Fans notification events and billing notices out into deliveries (the outbox). */
  fanOut(): Promise<{ events: number; deliveries: number }>;
  /** Migrates (unless MIGRATE=off), bootstraps the admin key, checks the schema, starts background work if it matches. */
  start(): Promise<StartReport>;
  /** Stops background work and the schema guard; the caller closes HTTP and the database. */
  stop(): Promise<void>;
}

export interface StartReport {
  migrated: string[];
  migrateError?: Error;
  /** Set only on the first start, when the admin key was generated now. */
  generatedAdminKey?: string;
  /** The platform's ping key, for /ping/<ping_key>/<slug> URLs. */
  platformPingKey?: string;
  /** Set only when this start created the platform ping key (so it is shown once). */
  platformPingKeyCreated?: true;
  /** What syncing checks/ changed. */
  checks?: { created: string[]; updated: string[]; archived: string[] };
}
