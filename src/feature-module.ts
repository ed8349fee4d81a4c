import type { Hono } from 'hono';
import type { LoopSpec } from './background.js';
import type { JobDefinition } from './scheduler/index.js';

/**
 * What a feature hands the composition root (overdue.ts): its HTTP routes,
 * background loops, scheduler jobs (fixed ones, and sources that are read
 * again when tenants change). Its /api/v1 routes carry their own OpenAPI
 * description (http/openapi.ts `operation()`). Each feature's `xxxModule()`
 * returns these beside its service.
 */
export interface FeatureParts {
  /** Routers for high-volume machine traffic, answered before the app's middleware. */
  volumeRoutes?: Hono<any>[];
  routes?: Hono<any>[];
  loops?: LoopSpec[];
  jobs?: JobDefinition[];
  jobSources?: (() => Promise<JobDefinition[]>)[];
}
