import type { Counter, Meter } from '@opentelemetry/api';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { LoopSpec } from '../background.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { SignalRow } from '../expectations/store.js';
import type { Logger } from '../logger.js';
import { addUpdate, createIncident } from './service.js';
import { statusForSeverity } from './status.js';
import { componentsOfSource, ensureDefaultPage, findIncident, openIncidentOfSource, openIncidentOnComponents, type IncidentRow } from './store.js';

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
 * Turns signals into incidents. Heartbeat flips become signals first (source
 * `check:<id>`). Per source, oldest first: `failing` opens an incident on the
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
    await this.#flipsToSignals();
    let handled = 0;
    for (;;) {
      const done = await this.deps.db.transaction().execute(async (trx) => {
        // The oldest unprocessed signal of some source no other instance is handling.
        const { rows } = await sql<SignalRow>`
          select * from signals s
          where s.processed_at is null
            and s.id = (select min(id) from signals s2 where s2.source = s.source and s2.processed_at is null)
          order by s.id limit 1 for update skip locked`.execute(trx);
        const signal = rows[0];
        if (!signal) return false;
        await this.#handle(trx, signal);
        await trx.updateTable('signals').set({ processed_at: this.deps.clock.now() }).where('id', '=', signal.id).execute();
        return true;
      });
      if (!done) break;
      handled++;
    }
    handled += await this.#resolveStableFlappers();
    if (handled > 0) await this.deps.onChange?.();
    return 1000;
  }

  /** Unprocessed heartbeat flips into signals (down → failing, down → up → recovered). */
  async #flipsToSignals(): Promise<void> {
    const now = this.deps.clock.now();
    await sql`
      with picked as (
        select f.id from flips f where f.processed is null order by f.id limit 500 for update skip locked
      ),
      marked as (update flips f set processed = ${now}::timestamptz from picked where f.id = picked.id returning f.*)
      insert into signals (source, kind, tenant_id, component, severity, summary, evidence, likely_cause, created_at, processed_at)
      select 'check:' || m.check_id, case when m.new_status = 'down' then 'failing' else 'recovered' end, m.tenant_id, null, 'major',
             case when m.new_status = 'down'
                  then 'Heartbeat ' || coalesce(nullif(c.name, ''), c.slug, m.check_id::text) || ' is down' || case when m.detail <> '' then ' (' || m.detail || ')' else '' end
                  else 'Heartbeat ' || coalesce(nullif(c.name, ''), c.slug, m.check_id::text) || ' is up again' end,
             jsonb_build_object('check_id', m.check_id, 'reason', m.reason, 'flipped_at', m.created),
             null, m.created, null
      from marked m join checks c on c.id = m.check_id
      where (m.new_status = 'down') or (m.new_status = 'up' and m.old_status = 'down')
      order by m.id`.execute(this.deps.db);
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
    await trx.updateTable('incident_sources').set({ open: false }).where('incident_id', '=', open.id).where('source', '=', s.source).execute();
    const still = await trx.selectFrom('incident_sources').select('source').where('incident_id', '=', open.id).where('open', '=', true).execute();
    if (still.length > 0) {
      await addUpdate(trx, open.id, { status: open.status as never, body: `${s.summary}. Still failing: ${still.map((x) => x.source).join(', ')}.` }, now);
      return;
    }
    if (await this.#flapping(trx, s.source, now)) {
      await trx.updateTable('incident_sources').set({ open: true }).where('incident_id', '=', open.id).where('source', '=', s.source).execute();
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
    const recent = await trx
      .selectFrom('incidents')
      .selectAll('incidents')
      .innerJoin('incident_sources', 'incident_sources.incident_id', 'incidents.id')
      .where('incident_sources.source', '=', s.source)
      .where('incidents.status', '=', 'resolved')
      .where('incidents.resolved_at', '>', new Date(now.getTime() - this.deps.options.reopenWithinMs))
      .orderBy('incidents.resolved_at', 'desc')
      .executeTakeFirst();
    if (recent) {
      await trx.updateTable('incident_sources').set({ open: true }).where('incident_id', '=', recent.id).where('source', '=', s.source).execute();
      await addUpdate(trx, recent.id, { status, body: `Failing again. ${body}` }, now);
      return;
    }
    const components = await componentsOfSource(trx, s.source);
    const componentStatus = statusForSeverity(s.severity);
    const related = await openIncidentOnComponents(trx, components.map((c) => c.id));
    if (related) {
      await trx.insertInto('incident_sources').values({ incident_id: related.id, source: s.source, open: true, created_at: now }).execute();
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
    await trx.insertInto('incident_sources').values({ incident_id: incident.id, source: s.source, open: true, created_at: now }).execute();
    this.#opened.add(1, { source: s.source.split(':')[0]! });
    this.deps.logger.warn({ incident: incident.id, source: s.source, summary: s.summary }, 'incident opened');
  }

  async #resolve(trx: Trx, incident: IncidentRow, summary: string, now: Date): Promise<void> {
    const repaired = await trx
      .selectFrom('signals')
      .select(['summary'])
      .where('source', 'in', trx.selectFrom('incident_sources').select('source').where('incident_id', '=', incident.id))
      .where('kind', '=', 'update')
      .where('created_at', '>=', incident.started_at)
      .where(sql<boolean>`evidence->>'phase' = 'finished'`)
      .execute();
    const body = `Resolved after ${minutes(now.getTime() - incident.started_at.getTime())}. ${summary}.${repaired.length ? ` ${repaired.map((r) => r.summary).join('; ')}.` : ''}`;
    await trx.updateTable('incident_sources').set({ open: false }).where('incident_id', '=', incident.id).execute();
    await addUpdate(trx, incident.id, { status: 'resolved', body }, now);
  }

  async #flapping(trx: Trx, source: string, now: Date): Promise<boolean> {
    const { rows } = await sql<{ n: bigint }>`
      select count(*) as n from signals where source = ${source} and kind = 'failing' and created_at > ${new Date(now.getTime() - 3_600_000)}::timestamptz`.execute(trx);
    return Number(rows[0]!.n) > this.deps.options.flapLimit;
  }

  /** Incidents held open for a flapping source resolve once every source has been quiet long enough. */
  async #resolveStableFlappers(): Promise<number> {
    const now = this.deps.clock.now();
    const quietSince = new Date(now.getTime() - this.deps.options.stableAfterMs);
    const { rows } = await sql<{ id: string }>`
      select i.id from incidents i
      where i.status = 'monitoring' and i.automatic
        and exists (select 1 from incident_sources x where x.incident_id = i.id and x.open)
        and not exists (
          select 1 from incident_sources x
          join lateral (select kind, created_at from signals s where s.source = x.source and s.kind in ('failing', 'recovered') order by s.id desc limit 1) last on true
          where x.incident_id = i.id and x.open and (last.kind = 'failing' or last.created_at > ${quietSince}::timestamptz))`.execute(this.deps.db);
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
      const page = await trx.selectFrom('pages').select('id').where('tenant_id', '=', tenantId).orderBy('created_at').executeTakeFirst();
      if (page) return page.id;
    }
    return (await ensureDefaultPage(trx, now)).id;
  }
}
