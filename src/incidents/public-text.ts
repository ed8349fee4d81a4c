import type { AutoIncident, ComponentStatus } from './table.js';

// What the public reads about an automatic incident, written from the components it affects only.
// The signal's summary, evidence, likely cause and source name stay private (they carry check
// names, ping UUIDs, tenant slugs, SQL sample rows): the operators get them through their alerts.

/** A component as public text needs it. */
export interface PublicComponent {
  name: string;
  incident_template: string | null;
  auto_incident: AutoIncident;
  publish_after: number | null;
}

const STATUS_WORDS: Record<ComponentStatus, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Maintenance',
};

/** The status in a sentence: "We are investigating a partial outage of API." */
const STATUS_PHRASE: Record<ComponentStatus, string> = {
  operational: 'a problem',
  degraded_performance: 'degraded performance',
  partial_outage: 'a partial outage',
  major_outage: 'a major outage',
  under_maintenance: 'maintenance',
};

export const DEFAULT_TEMPLATE = '{status}: {component}';

/** One line, no control characters, at most 140 characters. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > 140 ? `${clean.slice(0, 137)}…` : clean;
}

/** "A", "A and B", "A, B and C". */
function names(components: PublicComponent[]): string {
  const list = [...new Set(components.map((c) => c.name))];
  return list.length <= 1 ? (list[0] ?? 'some services') : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`;
}

/** The title from the first component's template (`{component}`, `{status}`), else "Major outage: API". */
export function incidentTitle(components: PublicComponent[], status: ComponentStatus): string {
  const first = components[0];
  const template = first?.incident_template ?? DEFAULT_TEMPLATE;
  return oneLine(template.replaceAll('{component}', first ? names(components) : 'some services').replaceAll('{status}', STATUS_WORDS[status]));
}

export const publicBody = {
  opened: (components: PublicComponent[], status: ComponentStatus, identified: boolean) =>
    identified
      ? `We have identified the cause of ${STATUS_PHRASE[status]} of ${names(components)} and a fix is being applied.`
      : `We are investigating ${STATUS_PHRASE[status]} of ${names(components)}.`,
  alsoAffected: (components: PublicComponent[]) => `We are also seeing problems with ${names(components)} and are investigating.`,
  failingAgain: () => 'The problem has returned. We are investigating.',
  identified: () => 'The cause has been identified and a fix is being applied.',
  monitoring: () => 'A fix has been applied and we are monitoring the results.',
  partlyRecovered: () => 'Some of the affected services have recovered; we are still working on the rest.',
  holding: () => 'Services have recovered, but the problem came and went several times; we are monitoring until they are stable.',
  resolved: (ms: number) => `This incident has been resolved. Services were affected for about ${minutes(ms)}.`,
  stable: (ms: number) => `This incident has been resolved: services have been stable for ${minutes(ms)}.`,
};

export function minutes(ms: number): string {
  const m = Math.max(1, Math.round(ms / 60_000));
  return m < 120 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/**
 * How an automatic incident over these components goes public: the strictest
 * of their rules. Any `draft` makes it a draft an operator publishes; else any
 * `delay` makes it publish itself after the longest `publish_after` if still
 * failing; else it is published at once.
 */
export function publishRule(components: PublicComponent[], now: Date): { draft: false } | { draft: true; publishAt: Date | null } {
  if (components.some((c) => c.auto_incident === 'draft')) return { draft: true, publishAt: null };
  const delays = components.filter((c) => c.auto_incident === 'delay').map((c) => c.publish_after ?? 0);
  if (delays.length > 0) return { draft: true, publishAt: new Date(now.getTime() + Math.max(...delays) * 1000) };
  return { draft: false };
}
