/**
 * Heartbeats' public module: what other features may use. Job checks and
 * checks-as-code provision platform checks through these; everything else of
 * heartbeats is its own.
 */
export type { HeartbeatService } from './service.js';
export { ensurePingKey, findCheckIdsBySlug, insertCheck, type NewCheck } from './checks-store.js';
export { createCheck, setPaused, updateCheck } from './manage.js';
export type { CheckSpec } from './v3-validate.js';
export { heartbeatsModule } from './module.js';
export type { AlertEvaluator } from './alerts.js';
