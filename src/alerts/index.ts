// Alerting's public module: what other features and the composition root may use.
export { alertsModule } from './module.js';
export { ALERTS_LOOP, type AlertDispatcher } from './dispatcher.js';
export type { AlertChannels } from './service.js';
export type { Owner } from './store.js';
