/**
 * The signal contract: producers (heartbeats, expectations) record what
 * happened to a source in the transaction of the change; consumers
 * (incidents) claim each source's signals in order. Neither side imports the
 * other, only this module.
 */
export type { SignalKind } from './table.js';
export {
  claimNextSignal,
  failingCountSince,
  finishedRepairsSince,
  markSignalProcessed,
  recordSignal,
  recordSignals,
  stableSources,
  type SignalDraft,
  type SignalRow,
} from './store.js';
export type { AlertSeverity } from './table.js';
export {
  claimUndispatchedAlertEvents,
  listAlertEvents,
  markAlertEventsDispatched,
  recordAlertEvent,
  recordSignalAlertEvents,
  type AlertEventDraft,
  type AlertEventRow,
} from './alert-events.js';
export { alertWorkPending, claimUnalertedSignals, markSignalsAlerted } from './alert-feed.js';
// The incident loop's retries and parking (a signal that fails to handle never blocks another source).
export { findSignal, listParkedSignals, lockUnprocessedSignal, newerSignalHandled, parkSignal, setSignalRetry, unparkSignal } from './store.js';
// Maintenance windows hold producers' down/failing flips (incidents implements the port).
export { afterSilenceNote, noMaintenanceWindows, type MaintenanceWindows, type OwnedSource } from './maintenance.js';
