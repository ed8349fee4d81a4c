/** Expectations' public module (checks-as-code import define.ts directly). */
export { expectationsModule } from './module.js';
export { loadChecks, type LoadedCheck } from './loader.js';
export type { ExpectationService } from './service.js';
export { expectationOwner } from './store.js';
