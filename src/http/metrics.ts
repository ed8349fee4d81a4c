import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { hashApiKey } from '../auth/keys.js';
import { findActiveKeyByHash } from '../auth/store.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { presentedKey } from './middleware/api-key.js';

export interface ServiceMetricsDeps {
  db: Kysely<Database>;
  /** METRICS_TOKEN; undefined: only the admin key may read. */
  token: string | undefined;
  /** The service's own metrics in Prometheus text. */
  render(): Promise<string>;
}

/**
 * `GET /metrics`: the service's own OpenTelemetry metrics for a Prometheus
 * scraper. They describe the whole instance (every tenant's traffic), so only
 * the operator reads them: `Authorization: Bearer <METRICS_TOKEN>`, or the
 * admin key (Bearer or X-Api-Key). None or an unknown one: 401; a tenant key: 403.
 */
export function serviceMetricsRoutes(deps: ServiceMetricsDeps): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) => {
    const presented = presentedKey(c.req);
    if (!presented) {
      c.header('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new AppError('unauthorized', 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN> or the admin key');
    }
    if (!(deps.token !== undefined && sameSecret(presented, deps.token))) {
      const principal = await findActiveKeyByHash(deps.db, hashApiKey(presented));
      if (!principal) {
        c.header('WWW-Authenticate', 'Bearer realm="metrics", error="invalid_token"');
        throw new AppError('unauthorized', 'the token or key is not valid');
      }
      if (principal.kind !== 'admin') throw new AppError('forbidden', 'GET /metrics needs METRICS_TOKEN or the admin key');
    }
    return c.body(await deps.render(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
  });
  return app;
}

/** Constant-time comparison of two secrets of any length (their digests are compared). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
