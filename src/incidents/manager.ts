import type { Counter, Meter } from '@opentelemetry/api';
import type { Kysely, Transaction } from 'kysely';
import type { LoopSpec } from '../background.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { claimNextSignal, failingCountSince, finishedRepairsSince, markSignalProcessed, stableSources, type SignalRow } from '../signals/index.js';
import {
  addIncidentSource,
  closeAllSources,
  firstPageOfTenant,
  heldOpenIncidents,
  openSourcesOf,
  resolvedIncidentOfSourceSince,
  setSourceOpen,
  sourcesOf,
} from './store/sources.js';
import { addUpdate, createIncident } from './service.js';
import { statusForSeverity } from './status.js';
import { componentsOfSource } from './store/components.js';
import { findIncident, openIncidentOfSource, openIncidentOnComponents, type IncidentRow } from './store/incidents.js';
import { ensureDefaultPage } from './store/pages.js';

type Trx = Transaction<Database>;

export interface ManagerOptions {
  /** More failing signals than this from one source within an hour is flapping: its incident stays open. */
  flapLimit: number;
  /** How long a flapping source must stay recovered before its incident resolves. */
  stableAfterMs: number;
  /** A source failing again this soon after its incident resolved reopens that incident. */
  reopenWithinMs: number;
}

export const INCIDENT_LOOP = 'incidents';

/** A monitor's summary as an incident name: one line, no control characters, at most 140 characters. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > 140 ? `${clean.slice(0, 137)}…` : clean;
}

const minutes = (ms: number) => {
  const m = Math.max(1, Math.round(ms / 60_000));
  return m < 120 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
};

/**
 * Turns signals into incidents (signals/ is the only thing it reads of the
 * monitors). Per source, oldest first: `failing` opens an incident on the
 * source's components (or joins the open incident on them), a likely cause or
 * a remediation start moves it to identified, a finished remediation to
 * monitoring, `recovered` resolves it when no other source holds it open. A
 * flapping source keeps its incident in monitoring until it is stable.
 */
export class IncidentManager {
  readonly #opened: Counter;

  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock; logger: Logger; meter: Meter; options: ManagerOptions; onChange?: () => Promise<void> }) {
    this.#opened = deps.meter.createCounter('overdue_incidents_opened_total', { description: 'Incidents opened automatically' });
  }

  loop(): LoopSpec {
    return { name: INCIDENT_LOOP, intervalMs: 1000, tick: () => this.tick() };
  }

  async tick(): Promise<number> {
    let handled = 0;
    for (;;) {
      const done = await this.deps.db.transaction().execute(async (trx) => {
        const signal = await claimNextSignal(trx);
        if (!signal) return false;
        await this.#handle(trx, signal);
        await markSignalProcessed(trx, signal.id, this.deps.clock.now());
        return true;
      });
      if (!done) break;
      handled++;
    }
    handled += await this.#resolveStableFlappers();
    if (handled > 0) await this.deps.onChange?.();
    return 1000;
  }

  async #handle(trx: Trx, s: SignalRow): Promise<void> {
    const now = this.deps.clock.now();
    const open = await openIncidentOfSource(trx, s.source);
    if (s.kind === 'failing') return this.#failing(trx, s, open, now);
    if (!open) return; // an update or recovery with no incident (e.g. below threshold): nothing to say
    if (s.kind === 'update') {
      const phase = (s.evidence as { phase?: string }).phase;
      const status = phase === 'finished' ? 'monitoring' : 'identified';
      await addUpdate(trx, open.id, { status, body: s.summary }, now);
      return;
    }
    // recovered
    await setSourceOpen(trx, open.id, s.source, false);
    const still = await openSourcesOf(trx, open.id);
    if (still.length > 0) {
      await addUpdate(trx, open.id, { status: open.status as never, body: `${s.summary}. Still failing: ${still.join(', ')}.` }, now);
      return;
    }
    if (await this.#flapping(trx, s.source, now)) {
      await setSourceOpen(trx, open.id, s.source, true);
      await addUpdate(trx, open.id, { status: 'monitoring', body: `${s.summary}, but it has failed repeatedly in the last hour; the incident stays open until it is stable.` }, now);
      return;
    }
    await this.#resolve(trx, open, s.summary, now);
  }

  async #failing(trx: Trx, s: SignalRow, open: IncidentRow | undefined, now: Date): Promise<void> {
    const body = [
      `**What failed:** ${s.summary}`,
      s.likely_cause ? `**Likely cause:** ${s.likely_cause}` : null,
      `**Source:** ${s.source}`,
    ]
      .filter(Boolean)
      .join('\n\n');
    const status = s.likely_cause ? 'identified' : 'investigating';
    if (open) {
      // Failing again while held open (flapping): back to investigating.
      await addUpdate(trx, open.id, { status, body: `Failing again. ${body}` }, now);
      return;
    }
    // Failing again soon after its incident resolved: reopen that incident rather than open another.
    const recent = await resolvedIncidentOfSourceSince(trx, s.source, new Date(now.getTime() - this.deps.options.reopenWithinMs));
    if (recent) {
      await setSourceOpen(trx, recent.id, s.source, true);
      await addUpdate(trx, recent.id, { status, body: `Failing again. ${body}` }, now);
      return;
    }
    const components = await componentsOfSource(trx, s.source);
    const componentStatus = statusForSeverity(s.severity);
    const related = await openIncidentOnComponents(trx, components.map((c) => c.id));
    if (related) {
      await addIncidentSource(trx, related.id, s.source, now);
      await addUpdate(trx, related.id, { status: related.status as never, body: `Also failing: ${s.summary}`, components: Object.fromEntries(components.map((c) => [c.id, componentStatus])) }, now);
      return;
    }
    const pageId = components[0]?.page_id ?? (await this.#pageFor(trx, s.tenant_id, now));
    const { incident } = await createIncident(
      trx,
      {
        pageId,
        name: oneLine(s.summary),
        status,
        impact: s.severity === 'critical' ? 'critical' : s.severity === 'minor' ? 'minor' : 'major',
        body,
        components: Object.fromEntries(components.filter((c) => c.page_id === pageId).map((c) => [c.id, componentStatus])),
        automatic: true,
      },
      now,
    );
    await addIncidentSource(trx, incident.id, s.source, now);
    this.#opened.add(1, { source: s.source.split(':')[0]! });
    this.deps.logger.warn({ incident: incident.id, source: s.source, summary: s.summary }, 'incident opened');
  }

  async #resolve(trx: Trx, incident: IncidentRow, summary: string, now: Date): Promise<void> {
    const repaired = await finishedRepairsSince(trx, await sourcesOf(trx, incident.id), incident.started_at);
    const body = `Resolved after ${minutes(now.getTime() - incident.started_at.getTime())}. ${summary}.${repaired.length ? ` ${repaired.join('; ')}.` : ''}`;
    await closeAllSources(trx, incident.id);
    await addUpdate(trx, incident.id, { status: 'resolved', body }, now);
  }

  async #flapping(trx: Trx, source: string, now: Date): Promise<boolean> {
    return (await failingCountSince(trx, source, new Date(now.getTime() - 3_600_000))) > this.deps.options.flapLimit;
  }

  /** Incidents held open for a flapping source resolve once every source has been quiet long enough. */
  async #resolveStableFlappers(): Promise<number> {
    const now = this.deps.clock.now();
    const quietSince = new Date(now.getTime() - this.deps.options.stableAfterMs);
    const held = await heldOpenIncidents(this.deps.db);
    const stable = await stableSources(this.deps.db, [...new Set(held.flatMap((h) => h.sources))], quietSince);
    const rows = held.filter((h) => h.sources.every((source) => stable.has(source)));
    for (const { id } of rows) {
      await this.deps.db.transaction().execute(async (trx) => {
        const incident = await findIncident(trx, id, true);
        if (incident?.status === 'monitoring') await this.#resolve(trx, incident, `Stable for ${minutes(this.deps.options.stableAfterMs)}`, now);
      });
    }
    return rows.length;
  }

  async #pageFor(trx: Trx, tenantId: string | null, now: Date): Promise<string> {
    if (tenantId) {
      const page = await firstPageOfTenant(trx, tenantId);
      if (page) return page;
    }
    return (await ensureDefaultPage(trx, now)).id;
  }
}
