import type { Hono } from 'hono';
import { ensureAdminKey } from './auth/bootstrap.js';
import { BackgroundWork, type LoopSpec } from './background.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { DatabaseHandle } from './db/connect.js';
import { runMigrations, type MigrationList } from './db/migrate.js';
import { migrations as allMigrations } from './db/migrations/index.js';
import { SchemaGuard } from './db/schema-guard.js';
import { invoiceRoutes } from './billing/invoice-routes.js';
import { accountPaths, invoicePaths } from './billing/openapi-paths.js';
import { expectationPaths } from './expectations/openapi-paths.js';
import { jobPaths } from './scheduler/openapi-paths.js';
import { billingJobs } from './billing/jobs.js';
import { settlementSweep } from './billing/dunning.js';
import { findTenant } from './billing/tenant-store.js';
import type { ExpectationDefinition, HeartbeatDefinition } from './expectations/define.js';
import { syncHeartbeats } from './expectations/heartbeat-sync.js';
import { loadChecks, type LoadedCheck } from './expectations/loader.js';
import { expectationRoutes } from './expectations/routes.js';
import { ExpectationService } from './expectations/service.js';
import { syncExpectations } from './expectations/store.js';
import { advanceMaintenances } from './incidents/maintenance.js';
import { IncidentManager } from './incidents/manager.js';
import { PageCache } from './incidents/page-cache.js';
import { publicRoutes } from './incidents/public-routes.js';
import { renderPage, HTML_PATHS } from './incidents/render.js';
import { incidentRoutes } from './incidents/routes.js';
import { ensureDefaultPage } from './incidents/store.js';
import { fanOut } from './notify/fanout.js';
import { notifyRoutes } from './notify/routes.js';
import { mailboxSender, smtpSender, type MailSender } from './notify/senders.js';
import { parseAllowList } from './notify/targets.js';
import { tokenSecret } from './notify/token-secret.js';
import { DeliveryWorker } from './notify/worker.js';
import { ConfirmedPaymentProvider, type PaymentProvider } from './billing/providers.js';
import { billingRoutes } from './billing/routes.js';
import { createApp, type AppEnv } from './http/app.js';
import { pruneKeys } from './http/idempotency-store.js';
import { AlertEvaluator, ALERT_LOOP } from './heartbeats/alerts.js';
import { ensurePingKey } from './heartbeats/checks-store.js';
import { pingRoutes } from './heartbeats/ping-routes.js';
import { pruneRetained } from './heartbeats/retention.js';
import { createCheckManagement } from './heartbeats/management.js';
import { v3Routes } from './heartbeats/v3-routes.js';
import { createHeartbeatService, type HeartbeatService } from './heartbeats/service.js';
import type { Logger } from './logger.js';
import type { JobDefinition, Scheduler } from './scheduler/runner.js';
import { createJobOperations } from './scheduler/operations.js';
import { jobRoutes } from './scheduler/routes.js';
import { createScheduler } from './scheduler/wiring.js';
import type { Telemetry } from './telemetry.js';

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
  /** What syncing checks/ changed. */
  checks?: { created: string[]; updated: string[]; archived: string[] };
}

/**
 * Builds the service from its parts. The same graph serves `npm start` and
 * the tests; only config, clock and database differ.
 */
export function createOverdue(deps: OverdueDeps): Overdue {
  const { config, clock, logger, telemetry, database } = deps;
  const { db } = database;
  const migrations = deps.migrations ?? allMigrations;

  const schema = new SchemaGuard({ db, migrations, clock, logger, meter: telemetry.meter, intervalMs: config.schemaCheckIntervalMs });
  const background = new BackgroundWork({ clock, logger, meter: telemetry.meter, stopTimeoutMs: config.shutdownTimeoutMs });
  for (const loop of deps.loops ?? []) background.register(loop);

  const hb = config.heartbeats;
  const alerts = new AlertEvaluator({
    db,
    clock,
    logger,
    meter: telemetry.meter,
    options: { capMs: hb.alertCapMs, outageThresholdMs: hb.monitorOutageThresholdMs, batchSize: 500 },
    wake: () => background.wake(ALERT_LOOP),
  });
  background.register(alerts.loop());
  const heartbeats = createHeartbeatService({
    db,
    clock,
    logger,
    meter: telemetry.meter,
    // PGlite is one session: batches cannot overlap there.
    intake: { maxWaitMs: hb.commitWaitMs, maxBatch: 256, concurrency: database.backend === 'pglite' ? 1 : hb.commitConcurrency },
    autoCreateLimit: hb.autoCreateLimit,
    onDeadline: (at) => alerts.deadlineMoved(at),
  });

  const retention: JobDefinition = {
    key: 'heartbeats.retention',
    schedule: { intervalS: 60 },
    catchUp: 'latest',
    maxRunS: 300,
    handler: async ({ signal }) => void (await pruneRetained({ db, clock, logger, keep: hb.pingLogLimit }, signal)),
  };
  const idempotencyCleanup: JobDefinition = {
    key: 'api.idempotency-cleanup',
    schedule: { intervalS: 3600 },
    catchUp: 'latest',
    maxRunS: 300,
    // Keys are kept at least 24 h (a little more, so a key is never pruned mid-day of its use).
    handler: async ({ slot }) => {
      const before = new Date(slot.getTime() - 25 * 3600 * 1000);
      while ((await pruneKeys(db, before, 5000)) === 5000) {
        // more to prune
      }
    },
  };
  const billing = billingJobs({ db, clock, logger, meter: telemetry.meter });
  const { scheduler, selfPing } = createScheduler({
    db,
    clock,
    logger,
    meter: telemetry.meter,
    config,
    heartbeats,
    jobs: [retention, idempotencyCleanup, ...billing.fixed, ...(deps.jobs ?? [])],
  });
  scheduler.addSource(billing.perTenant);
  const paymentProvider = deps.paymentProvider ?? new ConfirmedPaymentProvider();

  const expectations = new ExpectationService({
    db,
    clock,
    logger,
    meter: telemetry.meter,
    outageThresholdMs: hb.monitorOutageThresholdMs,
    remediation: {
      db,
      logger,
      now: () => clock.now(),
      instanceId: scheduler.instanceId,
      runInvoices: async (tenantId, slot) => {
        const tenant = await findTenant(db, tenantId);
        if (!tenant) throw new Error(`no tenant ${tenantId}`);
        return billing.runInvoices(tenant, slot);
      },
      settle: () => settlementSweep({ db, logger }, clock.now()),
    },
  });
  scheduler.addSource(async () => expectations.jobs());

  const pageCache = new PageCache({ db, clock, logger, render: (data) => renderPage(data, { publicUrl: config.publicUrl, now: clock.now() }) });
  background.register(pageCache.loop());
  const incidents = new IncidentManager({
    db,
    clock,
    logger,
    meter: telemetry.meter,
    options: { flapLimit: 3, stableAfterMs: 30 * 60_000, reopenWithinMs: 60 * 60_000 },
    onChange: () => pageCache.invalidate().catch((err) => logger.error({ err }, 'could not refresh page versions')),
  });
  background.register(incidents.loop());
  const secrets = tokenSecret(db);
  const allowPrivate = parseAllowList(config.webhookAllowPrivate);
  const mail = deps.mailSender ?? (config.smtpUrl ? smtpSender(config.smtpUrl, config.mailFrom) : mailboxSender(db, logger));
  const runFanOut = () => fanOut({ db, publicUrl: config.publicUrl, tokenSecret: secrets }, clock.now());
  background.register({ name: 'notify-fanout', intervalMs: 1000, tick: async () => void (await runFanOut()) });
  const deliveries = new DeliveryWorker({
    db,
    clock,
    logger,
    meter: telemetry.meter,
    mail,
    options: { batch: 20, leaseMs: 60_000, webhookTimeoutMs: 10_000, quarantineAfterMs: 24 * 3_600_000, allowPrivate },
  });
  background.register(deliveries.loop());

  scheduler.register({
    key: 'incidents.maintenance',
    schedule: { intervalS: 60 },
    catchUp: 'latest',
    maxRunS: 300,
    handler: async () => {
      const moved = await advanceMaintenances(db, clock.now());
      if (moved.started + moved.completed > 0) await pageCache.invalidate();
    },
  });
  background.register(scheduler.loop());

  // Background work runs only while the schema matches the code exactly; a
  // tripped guard is also reported outside (SELF_PING_URL /fail) at every check.
  schema.onChange(async (status) => {
    if (status.ok) background.start();
    else await background.stop();
  });
  schema.onCheck((status) => {
    if (!status.ok) selfPing.failing(status.reason ?? 'schema does not match the code');
  });

  const app = createApp({
    db,
    clock,
    logger,
    tracer: telemetry.tracer,
    meter: telemetry.meter,
    bodyLimitBytes: config.httpBodyLimitBytes,
    readiness: { db, schema, background },
    openapi: [jobPaths, accountPaths, invoicePaths, expectationPaths],
    volumeRoutes: [pingRoutes(heartbeats, { bodyLimit: hb.pingBodyLimitBytes, trustProxy: hb.trustProxy }, { clock, meter: telemetry.meter, logger })],
    routes: [
      v3Routes({ manage: createCheckManagement({ db, clock, pingLogLimit: hb.pingLogLimit }), clock, logger, publicUrl: config.publicUrl }),
      jobRoutes({ db, clock, logger, jobs: createJobOperations({ db, clock, scheduler }) }),
      billingRoutes({ db, clock, logger, onTenantCreated: () => scheduler.refreshSources() }),
      invoiceRoutes({ db, clock, logger, provider: paymentProvider, runInvoices: billing.runInvoices }),
      expectationRoutes({ db, clock, logger, service: expectations }),
      incidentRoutes({ db, clock, logger, onChange: () => pageCache.invalidate() }),
      notifyRoutes({ db, clock, logger, publicUrl: config.publicUrl, tokenSecret: secrets, allowPrivate, trustProxy: hb.trustProxy }),
      publicRoutes(pageCache, HTML_PATHS),
    ],
  });

  return {
    app,
    schema,
    background,
    heartbeats,
    alerts,
    scheduler,
    expectations,
    incidents,
    pageCache,
    deliveries,
    fanOut: runFanOut,
    async start() {
      const report: StartReport = { migrated: [] };
      // A definition that does not validate stops the start, naming its file.
      const checks = deps.checks ?? (await loadChecks(config.checksDir));
      const expectationDefs = checks.filter((c) => c.check.type === 'expectation').map((c) => ({ file: c.file, def: c.check.def as ExpectationDefinition }));
      expectations.setDefinitions(expectationDefs.map((e) => e.def));
      if (config.migrate === 'on') {
        const outcome = await runMigrations(db, migrations);
        report.migrated = outcome.applied;
        if (outcome.error) {
          report.migrateError = outcome.error;
          logger.error({ err: outcome.error }, 'migrations failed; nothing was applied');
        } else if (outcome.applied.length > 0) {
          logger.info({ applied: outcome.applied }, 'migrations applied');
        }
      }
      const status = await schema.check();
      if (status.ok) {
        const { generatedKey } = await ensureAdminKey(db, config.adminKey, clock.now());
        if (generatedKey) report.generatedAdminKey = generatedKey;
        report.platformPingKey = await ensurePingKey(db, null, clock.now());
        await ensureDefaultPage(db, clock.now());
        report.checks = await syncExpectations(db, expectationDefs, clock.now());
        await syncHeartbeats(
          db,
          checks.filter((c) => c.check.type === 'heartbeat').map((c) => c.check.def as HeartbeatDefinition),
          clock.now(),
        );
        scheduler.refreshSources();
      }
      schema.start();
      return report;
    },
    async stop() {
      await schema.stop();
      await background.stop();
      await scheduler.stop(config.shutdownTimeoutMs);
      await heartbeats.intake.drained();
      mail.close();
    },
  };
}
