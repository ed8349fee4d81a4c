import { raw } from 'hono/html';
import { ActionForm, Page } from './layout.js';
import { NameField, NoticeLine, SelectField, StatusPagePicker, type Option } from './form-parts.js';
import { ListTable } from './list-parts.js';
import type { CheckStateName, Notice, Viewer } from './view.js';

/** A status in words; the tone reuses the check states' colours (and the word always says it). */
export interface Badge {
  label: string;
  tone: CheckStateName;
}

export interface IncidentListItem {
  id: string;
  name: string;
  status: Badge;
  impact: string;
  page: string;
  started: string;
  startedIso: string;
  automatic: boolean;
}

/** A component the composer offers, labelled by its name (and its group's). */
export interface ComponentChoice {
  id: string;
  name: string;
  current: Badge;
}

/** A status page the viewer may write to. */
export interface PageChoice {
  slug: string;
  name: string;
}

export type { Option } from './form-parts.js';

export interface UpdateItem {
  status: string;
  bodyHtml: string;
  at: string;
  atIso: string;
}

/** The updates of an incident or a maintenance, as posted (rendered markdown). */
export function UpdateList(props: { updates: UpdateItem[] }) {
  return (
    <>
      <h2>Updates</h2>
      <ol class="updates">
        {props.updates.map((u) => (
          <li>
            <p>
              <b>{u.status}</b> ·{' '}
              <time datetime={u.atIso} data-local="">
                {u.at}
              </time>
            </p>
            <div class="rendered">{raw(u.bodyHtml)}</div>
          </li>
        ))}
      </ol>
    </>
  );
}

export interface IncidentDetail {
  id: string;
  name: string;
  status: Badge;
  statusValue: string;
  impact: string;
  page: string;
  draft: boolean;
  automatic: boolean;
  open: boolean;
  resolved: boolean;
  /** The public page and this incident on it (null while a draft). */
  publicPageHref: string;
  publicHref: string | null;
  components: { id: string; name: string; status: Badge; checks: { href: string; label: string }[] }[];
  updates: UpdateItem[];
  postmortemHtml: string | null;
}

/** What the composer holds between a preview and the submit (and after a refused one). */
export interface ComposerForm {
  page: string;
  name: string;
  status: string;
  impact: string;
  body: string;
  deliver: boolean;
  components: Record<string, string>;
}

export function StatusBadge(props: { badge: Badge }) {
  return <span class={`state s-${props.badge.tone}`}>{props.badge.label}</span>;
}

function IncidentTable(props: { items: IncidentListItem[]; caption: string }) {
  return (
    <ListTable columns={['Incident', 'Status', 'Impact', 'Page', 'Started']} caption={props.caption}>
      {props.items.map((i) => (
        <tr>
          <td>
            <a href={`/console/incidents/${i.id}`}>{i.name}</a>
            {i.automatic ? <span class="muted"> (automatic)</span> : null}
          </td>
          <td>
            <StatusBadge badge={i.status} />
          </td>
          <td>{i.impact}</td>
          <td>{i.page}</td>
          <td>
            <time datetime={i.startedIso} data-local="">
              {i.started}
            </time>
          </td>
        </tr>
      ))}
    </ListTable>
  );
}

/** Open, draft and past incidents of the viewer's pages. */
export function IncidentsPage(props: { viewer: Viewer; open: IncidentListItem[]; drafts: IncidentListItem[]; past: IncidentListItem[] }) {
  const sections: [string, IncidentListItem[], string][] = [
    ['Open', props.open, 'No open incident.'],
    ['Drafts', props.drafts, 'No draft: nothing waits for publication.'],
    ['Past', props.past, 'No past incident yet.'],
  ];
  return (
    <Page title="Incidents" current="/console/incidents" viewer={props.viewer}>
      <h1>Incidents</h1>
      {props.viewer.readOnly ? null : (
        <p>
          <a href="/console/incidents/new">Write an incident</a>
        </p>
      )}
      {sections.map(([title, items, empty]) => (
        <>
          <h2>{title}</h2>
          {items.length === 0 ? <p class="muted">{empty}</p> : <IncidentTable items={items} caption={`${title} incidents`} />}
        </>
      ))}
    </Page>
  );
}


/**
 * The incident composer: name, status, impact, each component's status
 * (chosen by name), the body with a server-rendered preview, notifications on
 * or off; publish at once or keep as a draft. Works without JavaScript.
 */
export function ComposerPage(props: {
  viewer: Viewer;
  pages: PageChoice[];
  components: ComponentChoice[];
  statuses: Option[];
  impacts: Option[];
  componentStatuses: Option[];
  form: ComposerForm;
  previewHtml?: string;
  notice?: Notice;
}) {
  const f = props.form;
  const v = props.viewer;
  return (
    <Page title="Write an incident" current="/console/incidents" viewer={v}>
      <p>
        <a href="/console/incidents">← Incidents</a>
      </p>
      <h1>Write an incident</h1>
      <NoticeLine notice={props.notice} />
      {props.pages.length === 0 ? (
        <p class="empty">
          None of your status pages exists yet: create one with <code>POST /api/v1/pages</code> and give it components.
        </p>
      ) : v.readOnly ? (
        <p class="empty">This key is read-only: it can read incidents but not write them.</p>
      ) : (
        <>
          <StatusPagePicker pages={props.pages} current={f.page} hrefOf={(slug) => `/console/incidents/new?page=${encodeURIComponent(slug)}`} />
          <form method="post" action="/console/incidents/new" class="composer">
            <input type="hidden" name="csrf" value={v.csrf} />
            <input type="hidden" name="page" value={f.page} />
            <NameField value={f.name} />
            <SelectField id="status" name="status" label="Status" options={props.statuses} value={f.status} />
            <SelectField id="impact" name="impact" label="Impact" options={props.impacts} value={f.impact} />
            <fieldset>
              <legend>Affected components</legend>
              {props.components.length === 0 ? (
                <p class="muted">This page has no components yet.</p>
              ) : (
                props.components.map((c) => (
                  <SelectField
                    id={`component-${c.id}`}
                    name={`component:${c.id}`}
                    label={
                      <>
                        {c.name} <span class="muted">(now {c.current.label.toLowerCase()})</span>
                      </>
                    }
                    options={props.componentStatuses}
                    value={f.components[c.id] ?? ''}
                  />
                ))
              )}
            </fieldset>
            <p class="field">
              <label for="body">Message (markdown: paragraphs, "- " lists, **bold**, [links](https://…))</label>
              <textarea id="body" name="body" rows={6} required maxlength={20000}>
                {f.body}
              </textarea>
            </p>
            <p>
              <input type="checkbox" id="deliver" name="deliver" value="on" checked={f.deliver} /> <label for="deliver">Deliver notifications to subscribers</label>
            </p>
            <div class="actions">
              <button type="submit" name="action" value="preview">
                Preview
              </button>
              <button type="submit" name="action" value="publish">
                Publish incident
              </button>
              <button type="submit" name="action" value="draft">
                Save as draft
              </button>
            </div>
          </form>
          {props.previewHtml !== undefined ? (
            <section aria-labelledby="preview-heading" class="preview">
              <h2 id="preview-heading">Preview</h2>
              <div class="rendered">{raw(props.previewHtml)}</div>
            </section>
          ) : null}
        </>
      )}
    </Page>
  );
}

/** One incident: its updates, its components (with the checks they follow), and what the viewer may do next. */
export function IncidentPage(props: { viewer: Viewer; incident: IncidentDetail; statuses: Option[]; notice?: Notice }) {
  const i = props.incident;
  const v = props.viewer;
  return (
    <Page title={i.name} current="/console/incidents" viewer={v}>
      <p>
        <a href="/console/incidents">← Incidents</a>
      </p>
      <h1>{i.name}</h1>
      <NoticeLine notice={props.notice} />
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge badge={i.status} />
          {i.draft ? ' (draft: not public)' : null}
        </dd>
        <dt>Impact</dt>
        <dd>{i.impact}</dd>
        <dt>Status page</dt>
        <dd>
          <a href={i.publicPageHref}>{i.page}</a>
          {i.publicHref ? (
            <>
              {' · '}
              <a href={i.publicHref}>this incident on the public page</a>
            </>
          ) : null}
        </dd>
        <dt>Kind</dt>
        <dd>{i.automatic ? 'automatic (from its monitors)' : 'written by hand'}</dd>
      </dl>
      <h2>Components</h2>
      {i.components.length === 0 ? (
        <p class="muted">It names no component.</p>
      ) : (
        <ul>
          {i.components.map((c) => (
            <li>
              {c.name}: <StatusBadge badge={c.status} />
              {c.checks.length > 0 ? (
                <>
                  {' · follows '}
                  {c.checks.map((k, n) => (
                    <>
                      {n > 0 ? ', ' : null}
                      <a href={k.href}>{k.label}</a>
                    </>
                  ))}
                </>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {v.readOnly ? null : (
        <>
          {i.draft ? (
            <div class="actions">
              <ActionForm action={`/console/incidents/${i.id}/publish`} csrf={v.csrf} label="Publish draft" confirm="Publish this incident? Subscribers are told." />
              <ActionForm action={`/console/incidents/${i.id}/discard`} csrf={v.csrf} label="Discard draft" danger confirm="Discard this draft? It was never public." />
            </div>
          ) : null}
          {i.open ? (
            <div class="actions">
              <ActionForm action={`/console/incidents/${i.id}/resolve`} csrf={v.csrf} label="Resolve" confirm="Resolve this incident?" />
            </div>
          ) : null}
          <h2>Post an update</h2>
          <form method="post" action={`/console/incidents/${i.id}/updates`} class="composer">
            <input type="hidden" name="csrf" value={v.csrf} />
            <SelectField id="update-status" name="status" label="Status" options={props.statuses} value={i.statusValue} />
            <p class="field">
              <label for="update-body">Message (markdown)</label>
              <textarea id="update-body" name="body" rows={4} required maxlength={20000}></textarea>
            </p>
            <p>
              <input type="checkbox" id="update-deliver" name="deliver" value="on" checked /> <label for="update-deliver">Deliver notifications to subscribers</label>
            </p>
            <button type="submit">Post update</button>
          </form>
          {i.resolved ? (
            <>
              <h2>Postmortem</h2>
              <form method="post" action={`/console/incidents/${i.id}/postmortem`} class="composer">
                <input type="hidden" name="csrf" value={v.csrf} />
                <p class="field">
                  <label for="postmortem-body">What happened and what changes (markdown)</label>
                  <textarea id="postmortem-body" name="body" rows={8} required maxlength={100000}></textarea>
                </p>
                <button type="submit">{i.postmortemHtml === null ? 'Publish postmortem' : 'Replace postmortem'}</button>
              </form>
            </>
          ) : null}
        </>
      )}
      {i.postmortemHtml !== null ? (
        <section aria-labelledby="pm-heading">
          <h2 id="pm-heading">Published postmortem</h2>
          <div class="rendered">{raw(i.postmortemHtml)}</div>
        </section>
      ) : null}
      <UpdateList updates={i.updates} />
    </Page>
  );
}
