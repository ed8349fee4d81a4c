import { normalizeTimeZone } from '../time/cron.js';
import { AppError } from '../errors.js';
import { COMPONENT_STATUSES, IMPACTS, INCIDENT_STATUSES, MAINTENANCE_STATUSES } from './status.js';
import type { ComponentStatus, Impact } from './table.js';

/** Request-body checks shared by the manual API: each failure is a 400 naming the field. */
export const bad = (message: string) => new AppError('validation_failed', message);

// Control characters break feeds (XML) and headers; line breaks and tabs are fine in long texts.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export function text(v: unknown, field: string, opts: { max?: number; optional?: boolean } = {}): string | undefined {
  if (v === undefined && opts.optional) return undefined;
  if (typeof v !== 'string' || v.trim() === '' || v.length > (opts.max ?? 200)) throw bad(`${field} must be a non-empty string of at most ${opts.max ?? 200} characters`);
  if (CONTROL.test(v) || ((opts.max ?? 200) <= 200 && /[\r\n]/.test(v))) throw bad(`${field} must not contain control characters`);
  return v.trim();
}

export function oneOf<T extends string>(v: unknown, field: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !values.includes(v as T)) throw bad(`${field} must be one of ${values.join(', ')}`);
  return v as T;
}

export const incidentStatus = (v: unknown) => oneOf(v, 'status', INCIDENT_STATUSES);
export const maintenanceStatus = (v: unknown) => oneOf(v, 'status', MAINTENANCE_STATUSES);
export const impact = (v: unknown): Impact => oneOf(v, 'impact', IMPACTS);

/** `{"<component id>": "<component status>"}` */
export function componentChanges(v: unknown, field = 'components'): Record<string, ComponentStatus> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw bad(`${field} must be an object of component id → component status`);
  const out: Record<string, ComponentStatus> = {};
  for (const [id, status] of Object.entries(v)) {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw bad(`${field} has an unknown component id ${id}`);
    out[id] = oneOf(status, `${field}.${id}`, COMPONENT_STATUSES);
  }
  return out;
}

/** A list of component ids (maintenances). */
export function componentIds(v: unknown, field = 'components'): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && /^[0-9a-f-]{36}$/.test(x))) throw bad(`${field} must be a list of component ids`);
  return [...new Set(v as string[])];
}

export function instant(v: unknown, field: string): Date {
  if (typeof v !== 'string' || !/T.*(Z|[+-]\d{2}:\d{2})$/.test(v) || Number.isNaN(Date.parse(v))) throw bad(`${field} must be an ISO 8601 instant with offset`);
  return new Date(v);
}

export function timeZone(v: unknown): string {
  const tz = typeof v === 'string' ? normalizeTimeZone(v) : undefined;
  if (!tz) throw bad('time_zone must be an IANA time zone, e.g. Europe/Berlin');
  return tz;
}

/** The most sources one component may list: each is checked against its owner when saved. */
export const MAX_COMPONENT_SOURCES = 100;

export function sources(v: unknown): string[] {
  if (v === undefined) return [];
  if (Array.isArray(v) && v.length > MAX_COMPONENT_SOURCES) throw bad(`sources may list at most ${MAX_COMPONENT_SOURCES}`);
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && /^(check:[0-9a-f-]{36}|expectation:[a-z0-9][a-z0-9-]{1,62})$/.test(s))) {
    throw bad('sources must be a list of "check:<uuid>" or "expectation:<id>"');
  }
  return [...new Set(v as string[])];
}

export const AUTO_INCIDENT = ['publish', 'delay', 'draft'] as const;

/** How a component's automatic incidents go public. */
export const autoIncident = (v: unknown) => oneOf(v, 'auto_incident', AUTO_INCIDENT);

/** Seconds a delayed incident waits before it is published (1 s to 24 h), or null. */
export function publishAfter(v: unknown): number | null {
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 86_400) throw bad('publish_after must be whole seconds from 1 to 86400, or null');
  return v;
}

/**
 * The title of a component's automatic incidents: one line of at most 140
 * characters, with `{component}` and `{status}` as its only placeholders; null
 * (or absent) for the default "{status}: {component}".
 */
export function incidentTemplate(v: unknown): string | null {
  if (v === null) return null;
  const t = text(v, 'incident_template', { max: 140 })!;
  const unknown = [...t.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]).filter((name) => name !== 'component' && name !== 'status');
  if (unknown.length > 0) throw bad(`incident_template may use only {component} and {status}, not {${unknown[0]}}`);
  return t;
}
