import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_heartbeats.js';
import * as m0003 from './0003_scheduler.js';
import * as m0004 from './0004_idempotency.js';
import * as m0005 from './0005_tenants_ledger.js';
import * as m0006 from './0006_subscriptions_invoices.js';
import * as m0007 from './0007_expectations.js';
import * as m0008 from './0008_incidents.js';
import * as m0009 from './0009_notifications.js';
import * as m0010 from './0010_flip_signals.js';
import * as m0011 from './0011_alerts.js';
import * as m0012 from './0012_publishing.js';
import * as m0013 from './0013_console.js';
import * as m0014 from './0014_api_keys.js';
import * as m0015 from './0015_rate_limits.js';
import * as m0016 from './0016_list_indexes.js';
import * as m0017 from './0017_platform_check_tag.js';
import * as m0018 from './0018_run_durations.js';
import * as m0019 from './0019_silences.js';
import * as m0020 from './0020_badge_keys.js';
import * as m0021 from './0021_expectation_silences.js';
import * as m0022 from './0022_page_branding.js';
import * as m0023 from './0023_console_indexes.js';

/**
 * Every migration the code knows, in order. Imported statically (not read from
 * the folder) so the list is exactly what was built and the schema guard can
 * compare it with what the database has applied.
 */
export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  '0001_foundation': m0001,
  '0002_heartbeats': m0002,
  '0003_scheduler': m0003,
  '0004_idempotency': m0004,
  '0005_tenants_ledger': m0005,
  '0006_subscriptions_invoices': m0006,
  '0007_expectations': m0007,
  '0008_incidents': m0008,
  '0009_notifications': m0009,
  '0010_flip_signals': m0010,
  '0011_alerts': m0011,
  '0012_publishing': m0012,
  '0013_console': m0013,
  '0014_api_keys': m0014,
  '0015_rate_limits': m0015,
  '0016_list_indexes': m0016,
  '0017_platform_check_tag': m0017,
  '0018_run_durations': m0018,
  '0019_silences': m0019,
  '0020_badge_keys': m0020,
  '0021_expectation_silences': m0021,
  '0022_page_branding': m0022,
  '0023_console_indexes': m0023,
});
