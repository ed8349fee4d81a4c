/** Expectations' public module (checks-as-code import define.ts directly). */
export { expectationsModule } from './module.js';
export { loadChecks, type LoadedCheck } from './loader.js';
export type { ExpectationService } from './service.js';
export { expectationOwner, type FailingTotals } from './store.js';
export { expectationReads, type ExpectationReads, type ExpectationItem, type ExpectationDetail } from './reads.js';
export type { ViewedResult } from './result-cut.js';
export type { TenantEvaluation } from './tenant-evaluation.js';
// The console's source picker lists expectations by title (wired at the composition root).
export { listExpectations } from './store.js';
