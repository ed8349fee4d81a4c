import { alertsModule } from './alerts/index.js';
import { ensureAdminKey } from './auth/bootstrap.js';
import { authModule } from './auth/module.js';
import { consoleModule } from './console/index.js';
import { allAttention, channelAttention, expectationAndDeliveryAttention, jobAttention } from './console-attention.js';
import { billingOverview } from './billing/index.js';
import { consoleChannelUsers, consoleSourceChoices } from './console-sources.js';
import { BackgroundWork } from './background.js';
import { billingModule } from './billing/module.js';
import { findTenant } from './billing/service.js';
import { runMigrations } from './db/migrate.js';
import { migrations as allMigrations } from './db/migrations/index.js';
import { SchemaGuard } from './db/schema-guard.js';
import { loadChecks } from './expectations/loader.js';
import { expectationsModule } from './expectations/module.js';
import type { FeatureParts } from './feature-module.js';
import { ensurePlatformPingKey, rotatePingKey } from './heartbeats/index.js';
import { heartbeatsModule } from './heartbeats/module.js';
import { createApp } from './http/app.js';
import { ensureDefaultPage, maintenanceWindowsOf } from './incidents/index.js';
import { incidentsModule } from './incidents/module.js';
import { countActiveSubscribers, DELIVERY_LOOP } from './notify/index.js';
import { notifyModule } from './notify/module.js';
import type { Overdue, OverdueDeps, StartReport } from './overdue-types.js';
import { platformJobs } from './platform-jobs.js';
import type { Scheduler } from './scheduler/index.js';
import { schedulerModule } from './scheduler/module.js';
import { sourceOwnerLookup } from './source-owners.js';
import { statusModule } from './status/module.js';

export type { Overdue, OverdueDeps, StartReport } from './overdue-types.js';

/**
 * Composes the service from each feature's module. The same graph serves
 * `npm start` and the tests; only config, clock and database differ.
 */
export function createOverdue(deps: OverdueDeps): Overdue {
  const { config, clock, logger, telemetry, database } = deps;
  const { db } = database;
  const base = { db, clock, logger, meter: telemetry.meter };
  const scheduled = deps.builtinJobs ?? true;
  const schema = new SchemaGuard({ ...base, migrations: deps.migrations ?? allMigrations, intervalMs: config.schemaCheckIntervalMs });
  const background = new BackgroundWork({ clock, logger, meter: telemetry.meter, stopTimeoutMs: config.shutdownTimeoutMs });

  let scheduler: Scheduler | undefined; // built last: it runs every feature's jobs
  const notify = notifyModule({ ...base, config, mailSender: deps.mailSender });
  const alerts = alertsModule({ ...base, config, notify, wakeDeliveries: () => background.wake(DELIVERY_LOOP) });
  const heartbeats = heartbeatsModule({ ...base, config, backend: database.backend, wake: (loop) => background.wake(loop), routing: alerts.channels, maintenance: maintenanceWindowsOf });
  const status = statusModule({ ...base, config });
  const incidents = incidentsModule({ ...base, config, scheduled, onChange: () => status.pageCache.invalidate(), sourceOwner: sourceOwnerLookup(db) });
  const billing = billingModule({ ...base, paymentProvider: deps.paymentProvider, scheduled, onTenantCreated: () => scheduler?.refreshSources() });
  const expectations = expectationsModule({ ...base, outageThresholdMs: config.heartbeats.monitorOutageThresholdMs, repairs: billing.repairs, instanceId: () => scheduler!.instanceId, routeToNamedChannels: (source, names) => alerts.channels.routeNamed(source, names), maintenance: maintenanceWindowsOf });
  const operatorConsole = consoleModule({ ...base, config, scheduled, checks: heartbeats.management, channels: alerts.channels, jobs: () => timing.operations, attention: allAttention(channelAttention(alerts.channels), expectationAndDeliveryAttention(expectations.reads, notify.subscriptions), jobAttention(() => timing.operations)), pages: incidents.pages, incidents: incidents.incidents,
    expectations: { service: expectations.service, reads: expectations.reads }, billing: billingOverview(db), deliveries: notify.subscriptions, sources: consoleSourceChoices(db, heartbeats.management), channelUsers: consoleChannelUsers(db, alerts.channels), subscribers: (ids) => countActiveSubscribers(db, ids) });
  const features: FeatureParts[] = [heartbeats, status, incidents, billing, expectations, notify, alerts, operatorConsole];
  const jobs = [...(scheduled ? [...(heartbeats.jobs ?? []), ...platformJobs({ db, idempotencyKeepMs: config.tuning.idempotencyKeepMs })] : []), ...features.slice(1).flatMap((f) => f.jobs ?? []), ...(deps.jobs ?? [])];
  const timing = schedulerModule({ ...base, config, heartbeats: heartbeats.service, jobs });
  scheduler = timing.scheduler;
  for (const source of features.flatMap((f) => f.jobSources ?? [])) timing.scheduler.addSource(source);
  const auth = authModule({ ...base, tenantExists: async (id) => (await findTenant(db, id)) !== undefined, rotatePingKey: (tenantId) => rotatePingKey(db, tenantId, clock.now()) });
  const all = [...features, timing, auth];
  for (const loop of [...(deps.loops ?? []), ...all.flatMap((f) => f.loops ?? [])]) background.register(loop);

  // Background work runs only while the schema matches the code exactly; a
  // tripped guard is also reported outside (SELF_PING_URL /fail) at every check.
  // Not before start() has bootstrapped (admin key, platform ping key, checks/): a loop that ran
  // first (the scheduler creating its job checks) would create the ping key, and the first start
  // would not know to show it.
  let bootstrapped = false;
  schema.onChange(async (s) => (s.ok && bootstrapped ? background.start() : background.stop()));
  schema.onCheck((s) => {
    if (!s.ok) timing.selfPing.failing(s.reason ?? 'schema does not match the code');
  });

  const app = createApp({
    ...base,
    tracer: telemetry.tracer,
    bodyLimitBytes: config.httpBodyLimitBytes,
    readiness: { db, schema, background },
    serviceMetrics: { token: config.metricsToken, render: () => telemetry.prometheusText() },
    volumeRoutes: all.flatMap((f) => f.volumeRoutes ?? []),
    routes: [heartbeats, timing, billing, expectations, incidents, notify, alerts, operatorConsole, auth, status].flatMap((f) => f.routes ?? []),
  });

  return {
    app,
    schema,
    background,
    heartbeats: heartbeats.service,
    alerts: heartbeats.alerts,
    scheduler: timing.scheduler,
    expectations: expectations.service,
    incidents: incidents.manager,
    pageCache: status.pageCache,
    deliveries: notify.deliveries,
    alertChannels: alerts.channels,
    alertDispatcher: alerts.dispatcher,
    fanOut: notify.fanOut,
    async start() {
      const report: StartReport = { migrated: [] };
      // A definition that does not validate stops the start, naming its file.
      expectations.load(deps.checks ?? (await loadChecks(config.checksDir)));
      if (config.migrate === 'on') {
        const outcome = await runMigrations(db, deps.migrations ?? allMigrations);
        report.migrated = outcome.applied;
        if (outcome.error) report.migrateError = outcome.error;
        if (outcome.error) logger.error({ err: outcome.error }, 'migrations failed; nothing was applied');
        else if (outcome.applied.length > 0) logger.info({ applied: outcome.applied }, 'migrations applied');
      }
      if ((await schema.check()).ok) {
        const { generatedKey } = await ensureAdminKey(db, config.adminKey, clock.now());
        if (generatedKey) report.generatedAdminKey = generatedKey;
        const platform = await ensurePlatformPingKey(db, clock.now());
        report.platformPingKey = platform.pingKey;
        if (platform.created) report.platformPingKeyCreated = true;
        await ensureDefaultPage(db, clock.now());
        report.checks = await expectations.sync();
        timing.scheduler.refreshSources();
      }
      bootstrapped = true;
      if (schema.status.ok) await background.start();
      schema.start();
      return report;
    },
    async stop() {
      await schema.stop();
      await background.stop();
      await timing.scheduler.stop(config.shutdownTimeoutMs);
      await heartbeats.service.intake.drained();
      notify.close();
    },
  };
}
