import type { Counter, Meter } from '@opentelemetry/api';
import type { Kysely, Transaction } from 'kysely';
import type { LoopSpec } from '../background.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { claimNextSignal, failingCountSince, markSignalProcessed, stableSources, type SignalRow } from '../signals/index.js';
import { publicBody, incidentTitle, publishRule } from './public-text.js';
import { publishIncident } from './publishing.js';
import { addUpdate, createIncident, deleteIncident } from './service.js';
import { SignalFailures, type RetryPolicy } from './signal-failures.js';
import { signalConcernsPage } from './source-rules.js';
import { addIncidentSource, closeAllSources, heldOpenIncidents, openSourcesOf, resolvedIncidentOfSourceSince, setSourceOpen } from './store/sources.js';
import { statusForSeverity } from './status.js';
import { componentsOfSource } from './store/components.js';
import { dueDrafts, findIncident, openIncidentOnComponents, openIncidentsOfSource, type IncidentRow } from './store/incidents.js';

type Trx = Transaction<Database>;

export interface ManagerOptions {
  /** More failing signals than this from one source within an hour is flapping: its incident stays open. */
  flapLimit: number;
  /** How long a flapping source must stay recovered before its incident resolves. */
  stableAfterMs: number;
  /** A source failing again this soon after its incident resolved reopens that incident. */
  reopenWithinMs: number;
  /** Retries of a signal whose handling fails, before it is parked. */
  retry: RetryPolicy;
}

export const INCIDENT_LOOP = 'incidents';

/**
 * Turns signals into incidents (signals/ is the only thing it reads of the
 * monitors). Per source, oldest first: `failing` opens an incident on the
 * components that list the source, one per page (or joins the open incident
 * on them); a source no component lists has no public trace at all (its
 * operators hear of it privately through alerting). A signal whose handling
 * throws is retried with backoff and then parked (signal-failures.ts); it
 * never holds up another source. A remediation start moves the incident to
 * identified, a finished one to monitoring, `recovered` resolves it when no
 * other source holds it open. A flapping source keeps its incident in
 * monitoring until it is stable. Every public word comes from the components
 * (public-text.ts), never from the signal. Components choose how their
 * incidents go public (publish, delay, draft): a delayed draft is published
 * by this loop when due, or discarded if its sources recover first.
 */
export class IncidentManager {
  readonly #opened: Counter;
  readonly #failures: SignalFailures;

  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock; logger: Logger; meter: Meter; options: ManagerOptions; onChange?: () => Promise<void> }) {
    this.#opened = deps.meter.createCounter('overdue_incidents_opened_total', { description: 'Incidents opened automatically' });
    this.#failures = new SignalFailures({ db: deps.db, logger: deps.logger, meter: deps.meter, policy: deps.options.retry });
  }

  loop(): LoopSpec {
    return { name: INCIDENT_LOOP, intervalMs: 1000, tick: () => this.tick() };
  }

  async tick(): Promise<number> {
    let handled = 0;
    for (;;) {
      const now = this.deps.clock.now();
      let claimed: SignalRow | undefined;
      try {
        const done = await this.deps.db.transaction().execute(async (trx) => {
          claimed = await claimNextSignal(trx, now);
          if (!claimed) return false;
          await this.#handle(trx, claimed);
          await markSignalProcessed(trx, claimed.id, this.deps.clock.now());
          return true;
        });
        if (!done) break;
        handled++;
      } catch (err) {
        // Nothing claimed: the database itself failed, and the loop backs off as a whole.
        if (!claimed) throw err;
        // Its transaction rolled back; it waits for its retry (or is parked) and the next source goes on.
        await this.#failures.record(claimed, err, now);
      }
    }
    handled += await this.#resolveStableFlappers();
    handled += await this.#publishDueDrafts();
    if (handled > 0) await this.deps.onChange?.();
    return 1000;
  }

  async #handle(trx: Trx, s: SignalRow): Promise<void> {
    const now = this.deps.clock.now();
    const open = await openIncidentsOfSource(trx, s.source);
    if (s.kind === 'failing') return this.#failing(trx, s, open, now);
    // An update or recovery with no incident (below threshold, or no component lists the source): nothing to say.
    for (const incident of open) {
      if (s.kind === 'update') {
        const finished = (s.evidence as { phase?: string } | null)?.phase === 'finished';
        await addUpdate(trx, incident.id, finished ? { status: 'monitoring', body: publicBody.monitoring() } : { status: 'identified', body: publicBody.identified() }, now);
      } else await this.#recovered(trx, s, incident, now);
    }
  }

  async #recovered(trx: Trx, s: SignalRow, open: IncidentRow, now: Date): Promise<void> {
    await setSourceOpen(trx, open.id, s.source, false);
    if ((await openSourcesOf(trx, open.id)).length > 0) {
      await addUpdate(trx, open.id, { status: open.status as never, body: publicBody.partlyRecovered() }, now);
      return;
    }
    if (!open.published_at && open.publish_at) {
      // A delayed draft whose sources all recovered before it was due: a blip, never public.
      await deleteIncident(trx, open.id, now);
      this.deps.logger.info({ incident: open.id, source: s.source }, 'delayed incident discarded: recovered before publication');
      return;
    }
    if (await this.#flapping(trx, s.source, now)) {
      await setSourceOpen(trx, open.id, s.source, true);
      await addUpdate(trx, open.id, { status: 'monitoring', body: publicBody.holding() }, now);
      return;
    }
    await this.#resolve(trx, open, publicBody.resolved(now.getTime() - open.started_at.getTime()), now);
  }

  /**
   * A source starts failing: on each page whose components list it (and that
   * the signal concerns), it opens an incident, reopens its recent one, or
   * joins the open incident on those components. A source holds at most one
   * open incident per page.
   */
  async #failing(trx: Trx, s: SignalRow, open: (IncidentRow & { page_tenant_id: string | null })[], now: Date): Promise<void> {
    const status = s.likely_cause ? 'identified' : 'investigating';
    // Failing again while held open (flapping): back to investigating.
    for (const incident of open) if (signalConcernsPage(s, incident.page_tenant_id)) await addUpdate(trx, incident.id, { status, body: publicBody.failingAgain() }, now);
    // Only a component that lists the source puts it on a page; a group holds no status of its own.
    const held = new Set(open.map((i) => i.page_id));
    const components = (await componentsOfSource(trx, s.source)).filter((c) => !c.is_group && !held.has(c.page_id) && signalConcernsPage(s, c.page_tenant_id));
    const componentStatus = statusForSeverity(s.severity);
    for (const pageId of new Set(components.map((c) => c.page_id))) {
      const onPage = components.filter((c) => c.page_id === pageId);
      // Failing again soon after its incident resolved: reopen that incident rather than open another.
      const recent = await resolvedIncidentOfSourceSince(trx, s.source, pageId, new Date(now.getTime() - this.deps.options.reopenWithinMs));
      if (recent) {
        await setSourceOpen(trx, recent.id, s.source, true);
        await addUpdate(trx, recent.id, { status, body: publicBody.failingAgain() }, now);
        continue;
      }
      const related = await openIncidentOnComponents(trx, onPage.map((c) => c.id));
      // Joining a published incident would make public at once what a delay or draft component holds
      // back; such a source opens its own (draft) incident instead. Joining a draft is always fine.
      if (related && (!related.published_at || !publishRule(onPage, now).draft)) {
        await addIncidentSource(trx, related, s.source, now);
        await addUpdate(trx, related.id, { status: related.status as never, body: publicBody.alsoAffected(onPage), components: Object.fromEntries(onPage.map((c) => [c.id, componentStatus])) }, now);
        continue;
      }
      // A delay counts from when the source started failing, not from when this loop got to it.
      const rule = publishRule(onPage, s.created_at);
      const { incident } = await createIncident(
        trx,
        {
          pageId,
          name: incidentTitle(onPage, componentStatus),
          status,
          impact: s.severity === 'critical' ? 'critical' : s.severity === 'minor' ? 'minor' : 'major',
          body: publicBody.opened(onPage, componentStatus, status === 'identified'),
          components: Object.fromEntries(onPage.map((c) => [c.id, componentStatus])),
          automatic: true,
          ...(rule.draft && { draft: { publishAt: rule.publishAt } }),
        },
        now,
      );
      await addIncidentSource(trx, incident, s.source, now);
      this.#opened.add(1, { source: s.source.split(':')[0]!, published: String(!rule.draft) });
      this.deps.logger.warn({ incident: incident.id, page: pageId, source: s.source, summary: s.summary, draft: rule.draft }, 'incident opened');
    }
  }

  async #resolve(trx: Trx, incident: IncidentRow, body: string, now: Date): Promise<void> {
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
    let resolved = 0;
    for (const { id } of rows) {
      // One incident that cannot be resolved is logged and tried again next tick; it holds up no other.
      await this.deps.db
        .transaction()
        .execute(async (trx) => {
          const incident = await findIncident(trx, id, true);
          if (incident?.status === 'monitoring') await this.#resolve(trx, incident, publicBody.stable(this.deps.options.stableAfterMs), now);
        })
        .then(
          () => resolved++,
          (err) => this.deps.logger.error({ err, incident: id }, 'could not resolve a stable incident; trying again next tick'),
        );
    }
    return resolved;
  }

  /** Delayed drafts still open when their time comes are published (their blips were discarded on recovery). */
  async #publishDueDrafts(): Promise<number> {
    const now = this.deps.clock.now();
    let published = 0;
    for (const id of await dueDrafts(this.deps.db, now)) {
      try {
        const done = await this.deps.db.transaction().execute((trx) => publishIncident(trx, id, now));
        if (!done) continue; // published or discarded meanwhile
        published++;
        this.deps.logger.info({ incident: id }, 'delayed incident published');
      } catch (err) {
        // It stays due and is tried again next tick; the other drafts go on.
        this.deps.logger.error({ err, incident: id }, 'could not publish a delayed incident; trying again next tick');
      }
    }
    return published;
  }
}
