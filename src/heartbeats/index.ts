/**
 * Heartbeats' public module: what other features may use. Job checks and
 * checks-as-code provision platform checks through these; everything else of
 * heartbeats is its own.
 */
export type { HeartbeatService } from './service.js';
export { ensurePingKey, findCheckIdsBySlug, insertCheck, type NewCheck } from './checks-store.js';
export { ensurePlatformPingKey, rotatePingKey } from './ping-key-store.js';
export { createCheck, setPaused, updateCheck } from './manage.js';
export { validateCheckSpec, type CheckSpec } from './v3-validate.js';
export { heartbeatsModule } from './module.js';
export { checkSource, type ChannelRouting } from './channel-routing.js';
export type { AlertEvaluator } from './alerts.js';
export { checkOwner, checkSourcesOf } from './checks-store.js';
export type { CheckManagement } from './management.js';
export { CHECK_STATE_RANK, PLATFORM_TAG, uniqueKey, type CheckState, type Scope } from './manage-store.js';
export { apiStatus, graceStart } from './status.js';
export { rowToState, type CheckRow } from './store.js';
export { pingsJson } from './v3-format.js';
