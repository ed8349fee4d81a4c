/** Expectations' public module (checks-as-code import define.ts directly). */
export { expectationsModule } from './module.js';
export { loadChecks, type LoadedCheck } from './loader.js';
export type { ExpectationService } from './service.js';
export { expectationOwner } from './store.js';
// The console's source picker lists expectations by title (wired at the composition root).
export { listExpectations } from './store.js';
