import { NoticeLine } from './form-parts.js';
import { ActionForm, Page } from './layout.js';
import { FilterTabs, ListTable, type FilterTab } from './list-parts.js';
import type { Notice, Viewer } from './view.js';

export interface ExpectationListItem {
  id: string;
  title: string;
  kind: string;
  scope: string;
  failing: boolean;
  archived: boolean;
  /** "failing since 2026-12-01 10:00 UTC", "passing"… in words. */
  stateLabel: string;
  lastOutcome: string | null;
  lastAt: string | null;
  lastAtIso: string | null;
}

export interface ResultItem {
  id: string;
  at: string;
  atIso: string;
  outcome: string;
  observed: string | null;
  failing: number;
  trigger: string;
  duration: string;
  error: string | null;
}

export interface TenantFailing {
  label: string;
  count: number;
  /** Each sample row as "field: value" pairs. */
  samples: [string, string][][];
}

export interface RemediationItem {
  tenant: string;
  slot: string;
  slotIso: string;
  state: string;
  attempts: number;
  error: string | null;
}

export interface ExpectationView extends ExpectationListItem {
  description: string | null;
  severity: string;
  component: string | null;
  unit: string | null;
  sourceFile: string;
  heldUntil: string | null;
  summary: string | null;
  results: ResultItem[];
  failingTenants: TenantFailing[];
  remediations: RemediationItem[];
  /** What "Evaluate now" does for this viewer, or null when it may not. */
  evaluate: string | null;
}

const ICON: Record<string, string> = { pass: '✓', warn: '!', fail: '✕', error: '✕', unknown: '?' };
const TONE: Record<string, string> = { pass: 's-up', warn: 's-late', fail: 's-down', error: 's-down', unknown: 's-paused', succeeded: 's-up', failed: 's-down', running: 's-new' };

/** An outcome in words with its icon: colour is never the only signal. */
export function Outcome(props: { outcome: string; label?: string }) {
  return (
    <span class={`state ${TONE[props.outcome] ?? ''}`}>
      <span aria-hidden="true">{ICON[props.outcome] ?? '•'}</span> {props.label ?? props.outcome}
    </span>
  );
}

export function ExpectationsPage(props: { viewer: Viewer; tabs: FilterTab[]; failingOnly: boolean; items: ExpectationListItem[] }) {
  return (
    <Page title="Expectations" current="/console/expectations" viewer={props.viewer}>
      <h1>Expectations</h1>
      <p class="muted">
        What should have happened by now, checked on a schedule (defined in <code>checks/</code>), failing first.
        {props.viewer.admin ? null : ' Each shows your tenant’s own part.'}
      </p>
      <FilterTabs label="Expectations by state" tabs={props.tabs} />
      {props.items.length === 0 ? (
        props.failingOnly ? (
          <p>No expectation is failing.</p>
        ) : (
          <p class="empty">No expectations are loaded. Add one to <code>checks/</code> with <code>defineExpectation</code> and restart.</p>
        )
      ) : (
        <ListTable columns={['Expectation', 'State', 'Kind', 'Scope', 'Last outcome', 'Evaluated']}>
          {props.items.map((e) => (
            <tr>
              <td>
                <a href={`/console/expectations/${encodeURIComponent(e.id)}`}>{e.title}</a> <span class="muted mono">{e.id}</span>
              </td>
              <td>
                <Outcome outcome={e.archived ? 'unknown' : e.failing ? 'fail' : 'pass'} label={e.stateLabel} />
              </td>
              <td>{e.kind}</td>
              <td>{e.scope === 'forEachTenant' ? 'each tenant' : 'platform'}</td>
              <td>{e.lastOutcome ? <Outcome outcome={e.lastOutcome} /> : 'not evaluated yet'}</td>
              <td>{e.lastAtIso ? <time datetime={e.lastAtIso} data-local="">{e.lastAt}</time> : '—'}</td>
            </tr>
          ))}
        </ListTable>
      )}
    </Page>
  );
}

/** The results as a strip, oldest left: one bar per result, its outcome in the bar's tooltip and the table below. */
function Strip(props: { results: ResultItem[] }) {
  const rs = [...props.results].reverse();
  const w = 10;
  const failing = rs.filter((r) => r.outcome === 'fail' || r.outcome === 'error').length;
  return (
    <svg class="strip" viewBox={`0 0 ${Math.max(rs.length, 1) * (w + 2)} 24`} role="img" aria-label={`${rs.length} recent results, ${failing} failing or broken, oldest first`} preserveAspectRatio="none">
      {rs.map((r, i) => (
        <rect x={i * (w + 2)} y={0} width={w} height={24} class={`o-${r.outcome}`}>
          <title>{`${r.at}: ${r.outcome}`}</title>
        </rect>
      ))}
    </svg>
  );
}

export function ExpectationPage(props: { viewer: Viewer; e: ExpectationView; notice?: Notice }) {
  const { e, viewer: v } = props;
  return (
    <Page title={e.title} current="/console/expectations" viewer={v}>
      <p>
        <a href="/console/expectations">← Expectations</a>
      </p>
      <h1>{e.title}</h1>
      <NoticeLine notice={props.notice} />
      {e.description ? <p>{e.description}</p> : null}
      <dl class="facts">
        <dt>State</dt>
        <dd>
          <Outcome outcome={e.archived ? 'unknown' : e.failing ? 'fail' : 'pass'} label={e.stateLabel} />
        </dd>
        {e.heldUntil ? (
          <>
            <dt>Maintenance</dt>
            <dd>Held by a maintenance window until {e.heldUntil}: failures inside it flip nothing.</dd>
          </>
        ) : null}
        <dt>Kind</dt>
        <dd>
          {e.kind}, {e.scope === 'forEachTenant' ? 'for each tenant' : 'for the platform'}, severity {e.severity}
        </dd>
        {e.component ? (
          <>
            <dt>Component</dt>
            <dd>{e.component}</dd>
          </>
        ) : null}
        <dt>Defined in</dt>
        <dd>
          <code>{e.sourceFile}</code>
        </dd>
      </dl>
      {e.evaluate && !v.readOnly ? (
        <div class="actions">
          <ActionForm action={`/console/expectations/${encodeURIComponent(e.id)}/evaluate`} csrf={v.csrf} label="Evaluate now" />
          <span class="muted">{e.evaluate}</span>
        </div>
      ) : null}
      {e.summary ? <p class="mono">{e.summary}</p> : null}

      <h2>Failing now{e.unit ? ` (${e.unit})` : ''}</h2>
      {e.failingTenants.length === 0 ? (
        <p>Nothing failing in the latest result.</p>
      ) : (
        e.failingTenants.map((t) => (
          <section aria-label={`Failing rows of ${t.label}`}>
            <h3>
              {t.label}: {t.count}
            </h3>
            {t.samples.length ? (
              <ul class="samples">
                {t.samples.map((row) => (
                  <li>
                    <code>{row.map(([k, val]) => `${k}: ${val}`).join(' · ')}</code>
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">No sample rows kept.</p>
            )}
          </section>
        ))
      )}

      <h2>Results</h2>
      {e.results.length === 0 ? (
        <p>Not evaluated yet.</p>
      ) : (
        <>
          <Strip results={e.results} />
          <ListTable columns={['Evaluated', 'Outcome', 'Observed', 'Failing', 'Trigger', 'Duration']}>
            {e.results.map((r) => (
              <tr>
                <td>
                  <time datetime={r.atIso} data-local="">
                    {r.at}
                  </time>
                </td>
                <td>
                  <Outcome outcome={r.outcome} />
                  {r.error ? (
                    <>
                      {' '}
                      <code>{r.error}</code>
                    </>
                  ) : null}
                </td>
                <td>{r.observed ?? '—'}</td>
                <td>{r.failing}</td>
                <td>{r.trigger}</td>
                <td>{r.duration}</td>
              </tr>
            ))}
          </ListTable>
        </>
      )}

      <h2>Remediations</h2>
      {e.remediations.length === 0 ? (
        <p>No repairs were attempted.</p>
      ) : (
        <ListTable columns={['Tenant', 'Slot', 'State', 'Attempts', 'Error']}>
          {e.remediations.map((r) => (
            <tr>
              <td>{r.tenant}</td>
              <td>
                <time datetime={r.slotIso}>{r.slot}</time>
              </td>
              <td>
                <Outcome outcome={r.state} />
              </td>
              <td>{r.attempts}</td>
              <td>{r.error ? <code>{r.error}</code> : null}</td>
            </tr>
          ))}
        </ListTable>
      )}
    </Page>
  );
}
