import type { Config } from '../config.js';
import type { FeatureParts } from '../feature-module.js';
import type { ServiceDeps } from '../service-deps.js';
import { createIncidentService, type IncidentService } from './incident-service.js';
import { advanceMaintenances } from './maintenance.js';
import { IncidentManager } from './manager.js';
import { createPageService, type PageService } from './page-service.js';
import { incidentRoutes } from './routes.js';
import type { SourceOwnerLookup } from './source-rules.js';

/**
 * Incidents, composed: the manager that turns signals into incidents (a
 * loop), the manual API for pages, components, incidents and maintenances,
 * the operator's view of parked signals, and the job that starts and
 * completes maintenances. `onChange` is told of every change a page shows.
 * `sourceOwner` answers who owns a source a component lists (heartbeats and
 * expectations answer it; the root composes it in src/source-owners.ts).
 */
export function incidentsModule(
  deps: ServiceDeps & { config: Config; onChange: () => Promise<void>; scheduled: boolean; sourceOwner: SourceOwnerLookup },
): FeatureParts & { manager: IncidentManager; pages: PageService; incidents: IncidentService } {
  const { db, clock, logger, meter, config, onChange } = deps;
  const t = config.tuning;
  const manager = new IncidentManager({
    db,
    clock,
    logger,
    meter,
    options: {
      flapLimit: t.flapLimit,
      stableAfterMs: t.flapStableMs,
      reopenWithinMs: t.reopenWithinMs,
      retry: { maxAttempts: t.signalMaxAttempts, baseDelayMs: t.signalRetryBaseMs },
    },
    onChange: () => onChange().catch((err) => logger.error({ err }, 'could not refresh page versions')),
  });
  const { sourceOwner } = deps;
  // The console calls the same services as the manual API.
  const pages = createPageService({ db, clock, onChange, sourceOwner });
  const incidents = createIncidentService({ db, clock, onChange });
  return {
    manager,
    pages,
    incidents,
    routes: [
      incidentRoutes({
        db,
        clock,
        logger,
        pages,
        incidents,
      }),
    ],
    loops: [manager.loop()],
    jobs: deps.scheduled
      ? [
          {
            key: 'incidents.maintenance',
            schedule: { intervalS: 60 },
            catchUp: 'latest',
            maxRunS: 300,
            handler: async () => {
              const moved = await advanceMaintenances(db, clock.now());
              if (moved.started + moved.completed > 0) await onChange();
            },
          },
        ]
      : [],
  };
}
