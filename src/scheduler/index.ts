/** The scheduler's public module: features hand it jobs of this shape. */
export type { JobDefinition, RunContext } from './runner.js';
export type { CatchUpPolicy } from './table.js';
export type { Scheduler } from './runner.js';
export { schedulerModule } from './module.js';
export type { JobOperations, JobSummary } from './operations.js';
export type { RunRow } from './store.js';
