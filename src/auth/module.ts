import type { FeatureParts } from '../feature-module.js';
import type { ServiceDeps } from '../service-deps.js';
import { pingKeyRoutes, type PingKeyPorts } from './ping-key-routes.js';
import { keyRoutes } from './routes.js';
import { createKeyService } from './service.js';

/**
 * Key management, composed: `/api/v1/keys` and ping key rotation. auth/ is
 * infrastructure and imports no feature, so what belongs to features (whether
 * a tenant exists; rotating a ping key) comes in as ports from the root.
 */
export function authModule(deps: ServiceDeps & PingKeyPorts): FeatureParts {
  const keys = createKeyService({ db: deps.db, tenantExists: deps.tenantExists });
  return {
    routes: [keyRoutes({ ...deps, keys }), pingKeyRoutes(deps)],
  };
}
