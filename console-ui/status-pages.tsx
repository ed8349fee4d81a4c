import { ActionForm, Page } from './layout.js';
import { NoticeLine, type Option } from './form-parts.js';
import { ListTable } from './list-parts.js';
import { ComponentFields, FindForm, type ComponentForm, type SourceOption, type SourceSearch } from './component-form.js';
import { StatusBadge, type Badge } from './incidents.js';
import type { Notice, Viewer } from './view.js';

export interface StatusPageItem {
  id: string;
  name: string;
  slug: string;
  publicHref: string;
  components: number;
  groups: number;
  subscribers: number;
}

/** A link to something related (a check, an expectation, an incident). */
export interface Link {
  href: string;
  label: string;
}

/** One component or group in display order; a group's members nested in their order. */
export interface ComponentNode {
  id: string;
  name: string;
  description: string | null;
  isGroup: boolean;
  position: number;
  status: Badge;
  /** How its automatic incidents go public, in words. */
  publishing: string;
  sources: Link[];
  incidents: Link[];
  members: ComponentNode[];
}

export interface PageHeader {
  id: string;
  name: string;
  slug: string;
  publicHref: string;
  subscribers: number;
  logoUrl: string | null;
  accentColor: string | null;
}


/** The viewer's status pages with their public links and counts. */
export function StatusPagesPage(props: { viewer: Viewer; pages: StatusPageItem[] }) {
  return (
    <Page title="Status pages" current="/console/pages" viewer={props.viewer}>
      <h1>Status pages</h1>
      {props.pages.length === 0 ? (
        <p class="empty">
          No status page yet. Create one with <code>POST /api/v1/pages</code> (a slug and a name), then add its components here.
        </p>
      ) : (
        <ListTable columns={['Page', 'Public page', 'Components', 'Subscribers']}>
          {props.pages.map((p) => (
            <tr>
              <td>
                <a href={`/console/pages/${p.id}`}>{p.name}</a>
              </td>
              <td>
                <a href={p.publicHref}>{p.publicHref}</a>
              </td>
              <td>
                {p.components}
                {p.groups > 0 ? <span class="muted"> (in {p.groups} {p.groups === 1 ? 'group' : 'groups'})</span> : null}
              </td>
              <td>{p.subscribers}</td>
            </tr>
          ))}
        </ListTable>
      )}
    </Page>
  );
}

function LinkList(props: { links: Link[]; empty: string }) {
  if (props.links.length === 0) return <span class="muted">{props.empty}</span>;
  return (
    <ul class="plain">
      {props.links.map((l) => (
        <li>
          <a href={l.href}>{l.label}</a>
        </li>
      ))}
    </ul>
  );
}

function ComponentRows(props: { nodes: ComponentNode[]; viewer: Viewer; depth: number }) {
  const v = props.viewer;
  return (
    <>
      {props.nodes.map((n) => (
        <>
          <tr id={`component-${n.id}`}>
            <th scope="row" class={props.depth > 0 ? 'member' : undefined}>
              {props.depth > 0 ? <span class="muted" aria-hidden="true">↳ </span> : null}
              {n.name}
              {n.isGroup ? <span class="muted"> (group)</span> : null}
              {n.description ? <div class="muted">{n.description}</div> : null}
            </th>
            <td>{n.position}</td>
            <td>
              <StatusBadge badge={n.status} />
            </td>
            <td>{n.isGroup ? <span class="muted">its members' worst</span> : n.publishing}</td>
            <td>{n.isGroup ? <span class="muted">on its members</span> : <LinkList links={n.sources} empty="none (set by hand or by incidents)" />}</td>
            <td>
              <LinkList links={n.incidents} empty="none open" />
            </td>
            {v.readOnly ? null : (
              <td>
                <a href={`/console/components/${n.id}`} aria-label={`Edit ${n.name}`}>
                  Edit
                </a>{' '}
                <ActionForm
                  action={`/console/components/${n.id}/delete`}
                  csrf={v.csrf}
                  label={`Delete ${n.name}`}
                  danger
                  confirm={n.isGroup ? `Delete the group "${n.name}"? Its components move to the top level.` : `Delete the component "${n.name}"? Its history on the public page goes with it.`}
                />
              </td>
            )}
          </tr>
          {n.members.length > 0 ? <ComponentRows nodes={n.members} viewer={v} depth={props.depth + 1} /> : null}
        </>
      ))}
    </>
  );
}

/** One status page: its components as a tree, and the form that adds one. */
export function StatusPageDetail(props: { viewer: Viewer; page: PageHeader; tree: ComponentNode[]; groups: Option[]; sources: SourceOption[]; search: SourceSearch; form: ComponentForm; notice?: Notice }) {
  const v = props.viewer;
  const p = props.page;
  return (
    <Page title={p.name} current="/console/pages" viewer={v}>
      <p>
        <a href="/console/pages">← Status pages</a>
      </p>
      <h1>{p.name}</h1>
      <NoticeLine notice={props.notice} />
      <dl class="facts">
        <dt>Public page</dt>
        <dd>
          <a href={p.publicHref}>{p.publicHref}</a>
        </dd>
        <dt>Subscribers</dt>
        <dd>{p.subscribers}</dd>
        <dt>Incidents</dt>
        <dd>
          <a href="/console/incidents">Incidents</a> · <a href={`/console/incidents/new?page=${encodeURIComponent(p.slug)}`}>Write one on this page</a>
        </dd>
      </dl>
      <Branding page={p} viewer={v} />
      <h2>Components</h2>
      {props.tree.length === 0 ? (
        <p class="empty">No component yet: the public page shows nothing to follow. Add one below and pick the checks it follows.</p>
      ) : (
        <ListTable columns={['Component', 'Position', 'Status', 'Publishing', 'Sources', 'Open incidents', v.readOnly ? null : 'Actions']}>
          <ComponentRows nodes={props.tree} viewer={v} depth={0} />
        </ListTable>
      )}
      {v.readOnly ? null : (
        <>
          <h2>Add a component</h2>
          <FindForm action={`/console/pages/${p.id}`} search={props.search} />
          <form method="post" action={`/console/pages/${p.id}/components`} class="composer">
            <input type="hidden" name="csrf" value={v.csrf} />
            <ComponentFields form={props.form} groups={props.groups} sources={props.sources} search={props.search} kind="new" />
            <button type="submit">Add component</button>
          </form>
        </>
      )}
    </Page>
  );
}

/** Edit one component (or group) of a page. */
export function ComponentEditPage(props: { viewer: Viewer; page: PageHeader; component: { id: string; name: string; isGroup: boolean }; groups: Option[]; sources: SourceOption[]; search: SourceSearch; form: ComponentForm; notice?: Notice }) {
  const v = props.viewer;
  const c = props.component;
  return (
    <Page title={`Edit ${c.name}`} current="/console/pages" viewer={v}>
      <p>
        <a href={`/console/pages/${props.page.id}`}>← {props.page.name}</a>
      </p>
      <h1>
        Edit {c.isGroup ? 'group' : 'component'} “{c.name}”
      </h1>
      <NoticeLine notice={props.notice} />
      {v.readOnly ? (
        <p class="muted">This key is read-only: it cannot change components.</p>
      ) : (
        <>
          <FindForm action={`/console/components/${c.id}`} search={props.search} />
          <form method="post" action={`/console/components/${c.id}`} class="composer">
            <input type="hidden" name="csrf" value={v.csrf} />
            <ComponentFields form={props.form} groups={props.groups} sources={props.sources} search={props.search} kind={c.isGroup ? 'group' : 'component'} />
            <button type="submit">Save</button>
          </form>
          <div class="actions">
            <ActionForm action={`/console/components/${c.id}/delete`} csrf={v.csrf} label={`Delete ${c.name}`} danger confirm={`Delete "${c.name}"?`} />
          </div>
        </>
      )}
    </Page>
  );
}

/** The page's logo and accent colour: the same fields and rules as the API's PATCH /api/v1/pages/:id. */
function Branding(props: { page: PageHeader; viewer: Viewer }) {
  const p = props.page;
  return (
    <>
      <h2>Branding</h2>
      {props.viewer.readOnly ? (
        <dl class="facts">
          <dt>Logo</dt>
          <dd>{p.logoUrl ?? 'none'}</dd>
          <dt>Accent colour</dt>
          <dd>{p.accentColor ?? 'the house accent'}</dd>
        </dl>
      ) : (
        <form class="composer" method="post" action={`/console/pages/${p.id}/branding`}>
          <input type="hidden" name="csrf" value={props.viewer.csrf} />
          <div class="field">
            <label for="logo_url">Logo URL (https; empty for none)</label>
            <input id="logo_url" name="logo_url" type="url" maxlength={2048} value={p.logoUrl ?? ''} />
          </div>
          <div class="field">
            <label for="accent_color">Accent colour (#rrggbb with AA contrast on white; empty for the house accent)</label>
            <input id="accent_color" name="accent_color" maxlength={7} pattern="#[0-9a-fA-F]{6}" value={p.accentColor ?? ''} />
          </div>
          <div class="actions">
            <button type="submit">Save branding</button>
          </div>
        </form>
      )}
    </>
  );
}
