import { ActionForm, Page } from './layout.js';
import { NameField, NoticeLine, StatusPagePicker } from './form-parts.js';
import { ListTable } from './list-parts.js';
import { StatusBadge, UpdateList, type Badge, type ComponentChoice, type PageChoice, type UpdateItem } from './incidents.js';
import type { Notice, Viewer } from './view.js';

export interface MaintenanceItem {
  id: string;
  name: string;
  status: Badge;
  page: string;
  /** "2026-12-05 07:50 → 09:00 UTC" */
  window: string;
  fromIso: string;
}

/** What the schedule/edit form holds: the window as wall times in `zone`. */
export interface MaintenanceForm {
  page: string;
  name: string;
  body: string;
  zone: string;
  from: string;
  until: string;
  components: string[];
}

function WindowFields(props: { form: MaintenanceForm; zones: string[]; components: ComponentChoice[] }) {
  const f = props.form;
  return (
    <>
      <p class="field">
        <label for="zone">Time zone of the window</label>
        <input id="zone" name="zone" value={f.zone} list="zones" required maxlength={64} />
        <datalist id="zones">
          {props.zones.map((z) => (
            <option value={z}></option>
          ))}
        </datalist>
      </p>
      <p class="field">
        <label for="from">Starts</label>
        <input id="from" name="from" type="datetime-local" value={f.from} required />
      </p>
      <p class="field">
        <label for="until">Ends</label>
        <input id="until" name="until" type="datetime-local" value={f.until} required />
      </p>
      <fieldset>
        <legend>Components under maintenance</legend>
        {props.components.length === 0 ? <p class="muted">This page has no components yet.</p> : null}
        {props.components.map((c) => (
          <p>
            <input type="checkbox" id={`m-${c.id}`} name={`component:${c.id}`} value="on" checked={f.components.includes(c.id)} /> <label for={`m-${c.id}`}>{c.name}</label>
          </p>
        ))}
      </fieldset>
    </>
  );
}

/** Scheduled, running and past maintenances; schedule a new one. */
export function MaintenancesPage(props: { viewer: Viewer; items: MaintenanceItem[]; pages: PageChoice[]; components: ComponentChoice[]; zones: string[]; form: MaintenanceForm; notice?: Notice }) {
  const v = props.viewer;
  const f = props.form;
  return (
    <Page title="Maintenances" current="/console/maintenances" viewer={v}>
      <h1>Scheduled maintenances</h1>
      <NoticeLine notice={props.notice} />
      {props.items.length === 0 ? (
        <p class="muted">No maintenance scheduled.</p>
      ) : (
        <ListTable columns={['Maintenance', 'Status', 'Window', 'Page']}>
          {props.items.map((m) => (
            <tr>
              <td>
                <a href={`/console/maintenances/${m.id}`}>{m.name}</a>
              </td>
              <td>
                <StatusBadge badge={m.status} />
              </td>
              <td>
                <time datetime={m.fromIso} data-local="">
                  {m.window}
                </time>
              </td>
              <td>{m.page}</td>
            </tr>
          ))}
        </ListTable>
      )}
      {v.readOnly || props.pages.length === 0 ? null : (
        <>
          <h2>Schedule a maintenance</h2>
          <StatusPagePicker pages={props.pages} current={f.page} hrefOf={(slug) => `/console/maintenances?page=${encodeURIComponent(slug)}`} />
          <form method="post" action="/console/maintenances" class="composer">
            <input type="hidden" name="csrf" value={v.csrf} />
            <input type="hidden" name="page" value={f.page} />
            <NameField value={f.name} />
            <WindowFields form={f} zones={props.zones} components={props.components} />
            <p class="field">
              <label for="body">Message (markdown)</label>
              <textarea id="body" name="body" rows={4} required maxlength={20000}>
                {f.body}
              </textarea>
            </p>
            <button type="submit">Schedule maintenance</button>
          </form>
        </>
      )}
    </Page>
  );
}

/** One maintenance: its updates; edit (while scheduled) or cancel. */
export function MaintenancePage(props: {
  viewer: Viewer;
  item: MaintenanceItem & { scheduled: boolean; finished: boolean; publicPageHref: string; components: { name: string; status: Badge }[]; updates: UpdateItem[] };
  components: ComponentChoice[];
  zones: string[];
  form: MaintenanceForm;
  notice?: Notice;
}) {
  const v = props.viewer;
  const m = props.item;
  return (
    <Page title={m.name} current="/console/maintenances" viewer={v}>
      <p>
        <a href="/console/maintenances">← Maintenances</a>
      </p>
      <h1>{m.name}</h1>
      <NoticeLine notice={props.notice} />
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge badge={m.status} />
        </dd>
        <dt>Window</dt>
        <dd>{m.window}</dd>
        <dt>Status page</dt>
        <dd>
          <a href={m.publicPageHref}>{m.page}</a>
        </dd>
        <dt>Components</dt>
        <dd>{m.components.length === 0 ? 'none' : m.components.map((c) => c.name).join(', ')}</dd>
      </dl>
      {v.readOnly || m.finished ? null : (
        <div class="actions">
          <ActionForm action={`/console/maintenances/${m.id}/cancel`} csrf={v.csrf} label="Cancel maintenance" danger confirm="Cancel this maintenance? Subscribers are told." />
        </div>
      )}
      {v.readOnly || !m.scheduled ? null : (
        <>
          <h2>Edit</h2>
          <form method="post" action={`/console/maintenances/${m.id}`} class="composer">
            <input type="hidden" name="csrf" value={v.csrf} />
            <NameField value={props.form.name} />
            <WindowFields form={props.form} zones={props.zones} components={props.components} />
            <button type="submit">Save changes</button>
          </form>
        </>
      )}
      <UpdateList updates={m.updates} />
    </Page>
  );
}
