import type { Config } from '../config.js';
import type { FeatureParts } from '../feature-module.js';
import type { ServiceDeps } from '../service-deps.js';
import { PageCache } from './page-cache.js';
import { publicRoutes } from './public-routes.js';
import { HTML_PATHS, renderPage } from './render.js';

/** The public status pages, composed: the page cache, its version-poll loop, and the public routes. */
export function statusModule(deps: ServiceDeps & { config: Config }): FeatureParts & { pageCache: PageCache } {
  const { db, clock, logger, config } = deps;
  const pageCache = new PageCache({ db, clock, logger, render: (data) => renderPage(data, { publicUrl: config.publicUrl, now: clock.now() }) });
  return { pageCache, routes: [publicRoutes(pageCache, HTML_PATHS)], loops: [pageCache.loop()] };
}
