import { ActionForm, Page, State } from './layout.js';
import { ListTable, NextPageLink } from './list-parts.js';
import type { CheckListItem, CheckStateName, PingItem, Tile, Viewer } from './view.js';

function CheckTable(props: { checks: CheckListItem[] }) {
  return (
    <ListTable columns={['Check', 'State', 'Schedule', 'Last ping', 'Tags']}>
      {props.checks.map((c) => (
        <tr>
          <td>
            <a href={`/console/checks/${c.id}`}>{c.name || '(unnamed check)'}</a>
          </td>
          <td>
            <State state={c.state} label={c.stateLabel} />
          </td>
          <td>{c.schedule}</td>
          <td>{c.lastPingIso ? <time datetime={c.lastPingIso} data-local="">{c.lastPing}</time> : 'never'}</td>
          <td>{c.tags}</td>
        </tr>
      ))}
    </ListTable>
  );
}

export function OverviewPage(props: { viewer: Viewer; tiles: Tile[]; failing: CheckListItem[]; total: number; extra: { label: string; count: number; href: string | null }[] }) {
  return (
    <Page title="Overview" current="/console" viewer={props.viewer}>
      <h1>What needs attention</h1>
      {props.total === 0 ? (
        <div class="empty">
          <h2>Nothing is monitored yet</h2>
          <ol>
            <li>Create a check: <code>POST /api/v3/checks/</code> with a name, timeout and grace, then ping its URL from your job.</li>
            <li>Add an alert channel (Slack, PagerDuty, email…): <code>POST /api/v1/channels</code>, then send it a test.</li>
            <li>Add a status page component that lists the check, if the public should see it.</li>
          </ol>
        </div>
      ) : null}
      <ul class="tiles" aria-label="Checks and incidents by state">
        {props.tiles.map((t) => (
          <li class={`tile s-${t.tone}`}>
            <a href={t.href}>
              <b>{t.count}</b> {t.label}
            </a>
          </li>
        ))}
        {props.extra.map((x) => (
          <li class="tile">
            {x.href ? (
              <a href={x.href}>
                <b>{x.count}</b> {x.label}
              </a>
            ) : (
              <span>
                <b>{x.count}</b> {x.label}
              </span>
            )}
          </li>
        ))}
      </ul>
      <h2>Failing checks</h2>
      {props.failing.length === 0 ? <p>No check is down or late.</p> : <CheckTable checks={props.failing} />}
    </Page>
  );
}

const STATES: CheckStateName[] = ['down', 'late', 'new', 'up', 'paused'];

export function ChecksPage(props: { viewer: Viewer; checks: CheckListItem[]; tags: string[]; filter: { state?: string; tag?: string; q?: string }; next: string | null }) {
  const f = props.filter;
  return (
    <Page title="Checks" current="/console/checks" viewer={props.viewer}>
      <h1>Checks</h1>
      <form class="filters" method="get" action="/console/checks" role="search">
        <label>
          Name contains
          <input name="q" value={f.q ?? ''} maxlength={100} />
        </label>
        <label>
          State
          <select name="state">
            <option value="">any</option>
            {STATES.map((s) => (
              <option value={s} selected={f.state === s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tag
          <input name="tag" value={f.tag ?? ''} maxlength={100} list="tag-choices" />
        </label>
        {/* The browser's own suggestions: a bounded list of the tags in use, typing any other still filters. */}
        <datalist id="tag-choices">
          {props.tags.map((t) => (
            <option value={t} />
          ))}
        </datalist>
        <button type="submit">Filter</button>
      </form>
      {props.checks.length === 0 ? <p>No checks match.</p> : <CheckTable checks={props.checks} />}
      <NextPageLink href={props.next} />
    </Page>
  );
}

export interface CheckDetail {
  id: string;
  name: string;
  state: CheckStateName;
  stateLabel: string;
  scheduleText: string;
  zone: string;
  nextExpected: string | null;
  nextExpectedIso: string | null;
  tags: string;
  pingUrl: string;
  slugUrl: string | null;
  paused: boolean;
  durations: { at: string; seconds: number }[];
  flips: { at: string; atIso: string; change: string }[];
}

function DurationChart(props: { points: { at: string; seconds: number }[] }) {
  if (props.points.length === 0) return <p class="muted">No completed runs with a measured duration yet.</p>;
  const max = Math.max(...props.points.map((p) => p.seconds), 1);
  const w = 100 / props.points.length;
  return (
    <svg class="chart" viewBox="0 0 100 40" preserveAspectRatio="none" role="img" aria-label={`Run durations of the last ${props.points.length} runs, longest ${max} s`}>
      {props.points.map((p, i) => (
        <rect x={i * w + w * 0.1} width={w * 0.8} y={40 - (p.seconds / max) * 38} height={(p.seconds / max) * 38}>
          <title>{`${p.at}: ${p.seconds} s`}</title>
        </rect>
      ))}
    </svg>
  );
}

type Links = { href: string; label: string }[];

/** Where a check's trouble goes: the channels it alerts and the open incidents of components that follow it. */
function Related(props: { channels: Links; incidents: Links }) {
  return (
    <>
      <dt>Alerts</dt>
      <dd>
        {props.channels.length === 0 ? (
          <span>
            no channel: nobody is told. <a href="/console/channels">Add a channel</a>
          </span>
        ) : (
          props.channels.map((ch, i) => (
            <>
              {i > 0 ? ', ' : ''}
              <a href={ch.href}>{ch.label}</a>
            </>
          ))
        )}
      </dd>
      <dt>Open incidents</dt>
      <dd>
        {props.incidents.length === 0
          ? 'none'
          : props.incidents.map((x, i) => (
              <>
                {i > 0 ? ', ' : ''}
                <a href={x.href}>{x.label}</a>
              </>
            ))}
      </dd>
    </>
  );
}

/** Links between pages of the ping log: back to the newest, on to older pings. */
function LogPages(props: { older: string | null; newest: string | null }) {
  if (!props.older && !props.newest) return null;
  return (
    <nav class="actions" aria-label="Ping log pages">
      {props.newest ? (
        <a href={props.newest} rel="first">
          Newest pings
        </a>
      ) : null}
      {props.older ? (
        <a href={props.older} rel="next">
          Older pings
        </a>
      ) : null}
    </nav>
  );
}

export function CheckPage(props: { viewer: Viewer; check: CheckDetail; pings: PingItem[]; pages?: { older: string | null; newest: string | null }; related?: { channels: Links; incidents: Links } }) {
  const c = props.check;
  const v = props.viewer;
  return (
    <Page title={c.name || 'Check'} current="/console/checks" viewer={v}>
      <p>
        <a href="/console/checks">← Checks</a>
      </p>
      <h1>{c.name || '(unnamed check)'}</h1>
      <dl class="facts">
        <dt>State</dt>
        <dd>
          <State state={c.state} label={c.stateLabel} />
        </dd>
        <dt>Schedule</dt>
        <dd>
          {c.scheduleText} <span class="muted">({c.zone})</span>
        </dd>
        <dt>Next ping expected</dt>
        <dd>{c.nextExpectedIso ? <time datetime={c.nextExpectedIso} data-local="">{c.nextExpected}</time> : 'not expected (new, paused or down)'}</dd>
        <dt>Tags</dt>
        <dd>{c.tags || 'none'}</dd>
        {props.related ? <Related channels={props.related.channels} incidents={props.related.incidents} /> : null}
        <dt>Ping URL</dt>
        <dd>
          <code>{c.pingUrl}</code>
        </dd>
        {c.slugUrl ? (
          <>
            <dt>By slug</dt>
            <dd>
              <code>{c.slugUrl}</code>
            </dd>
          </>
        ) : null}
      </dl>
      <h2>Try it</h2>
      <pre>{`curl -fsS -m 10 --retry 5 ${c.pingUrl}`}</pre>
      {v.readOnly ? null : (
        <div class="actions">
          {c.paused ? (
            <ActionForm action={`/console/checks/${c.id}/resume`} csrf={v.csrf} label="Resume" />
          ) : (
            <ActionForm action={`/console/checks/${c.id}/pause`} csrf={v.csrf} label="Pause" />
          )}
          <a href={`/console/checks/${c.id}/edit`}>Edit</a>
          <a href={`/console/checks/${c.id}/delete`}>Delete…</a>
        </div>
      )}
      <h2>Run durations</h2>
      <DurationChart points={c.durations} />
      <h2>Ping log</h2>
      {props.pings.length === 0 ? (
        <p>{props.pages?.newest ? 'No older pings.' : 'No pings yet.'}</p>
      ) : (
        <ListTable columns={['#', 'Kind', 'Time', 'Source', 'Duration', 'Body']}>
          {props.pings.map((p) => (
            <tr>
              <td>{p.n}</td>
              <td>{p.kind}</td>
              <td>
                <time datetime={p.atIso} data-local="">
                  {p.at}
                </time>
              </td>
              <td>{p.source}</td>
              <td>{p.duration ?? ''}</td>
              <td>
                {p.excerpt ? <code>{p.excerpt}</code> : null} {p.bodyHref ? <a href={p.bodyHref}>full body</a> : null}
              </td>
            </tr>
          ))}
        </ListTable>
      )}
      {props.pages ? <LogPages older={props.pages.older} newest={props.pages.newest} /> : null}
      <h2>Status changes</h2>
      {c.flips.length === 0 ? (
        <p>None yet.</p>
      ) : (
        <ul>
          {c.flips.map((f) => (
            <li>
              <time datetime={f.atIso}>{f.at}</time>: {f.change}
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}
