import { SelectField, type Option } from './form-parts.js';

/*
 * The component form of the console's status pages: its fields, the source
 * picker (checks and expectations by name) and the picker's name search.
 */

/** A source the picker offers, by name. */
export interface SourceOption {
  source: string;
  kind: 'check' | 'expectation';
  label: string;
}

/** The picker's name search: what was searched for, and whether checks beyond those shown exist. */
export interface SourceSearch {
  q: string;
  more: boolean;
}

/** What the add/edit form holds (as typed, so a refused form comes back as it was). */
export interface ComponentForm {
  name: string;
  description: string;
  isGroup: boolean;
  group: string;
  position: string;
  autoIncident: string;
  publishAfter: string;
  incidentTemplate: string;
  sources: string[];
}

const PUBLISHING: Option[] = [
  { value: 'publish', label: 'Publish automatic incidents at once' },
  { value: 'delay', label: 'Publish after a delay if still failing (a blip stays private)' },
  { value: 'draft', label: 'Keep automatic incidents as drafts for review' },
];

/** The fields of the add and edit forms; `kind` fixes whether it is a group (chosen on create only). */
export function ComponentFields(props: { form: ComponentForm; groups: Option[]; sources: SourceOption[]; search: SourceSearch; kind: 'new' | 'group' | 'component' }) {
  const f = props.form;
  const checks = props.sources.filter((s) => s.kind === 'check');
  const expectations = props.sources.filter((s) => s.kind === 'expectation');
  const picker = (title: string, list: SourceOption[], none: string, find?: unknown) => (
    <fieldset>
      <legend>{title}</legend>
      {find}
      {list.length === 0 ? <p class="muted">{none}</p> : null}
      {list.map((s, i) => (
        <p>
          <input type="checkbox" id={`src-${s.kind}-${i}`} name={`source:${s.source}`} value="on" checked={f.sources.includes(s.source)} /> <label for={`src-${s.kind}-${i}`}>{s.label}</label>
        </p>
      ))}
    </fieldset>
  );
  return (
    <>
      <p class="field">
        <label for="name">Name</label>
        <input id="name" name="name" value={f.name} required maxlength={200} />
      </p>
      <p class="field">
        <label for="description">Description (optional, shown on the public page)</label>
        <input id="description" name="description" value={f.description} maxlength={2000} />
      </p>
      {props.kind === 'new' ? (
        <p>
          <input type="checkbox" id="is-group" name="group" value="on" checked={f.isGroup} /> <label for="is-group">This is a group (it holds components and shows their worst status)</label>
        </p>
      ) : null}
      {props.kind === 'group' ? null : (
        <SelectField id="group-id" name="group_id" label="In group" options={props.groups} value={f.group} first={<option value="">None (top level)</option>} />
      )}
      <p class="field">
        <label for="position">Position within its group or the page (blank: last)</label>
        <input id="position" name="position" type="number" min={0} max={100000} step={1} value={f.position} />
      </p>
      {props.kind === 'group' ? null : (
        <>
          <SelectField id="auto-incident" name="auto_incident" label="When a source fails" options={PUBLISHING} value={f.autoIncident} />
          <p class="field">
            <label for="publish-after">Delay in seconds (with "after a delay"; 1 to 86400)</label>
            <input id="publish-after" name="publish_after" type="number" min={1} max={86400} step={1} value={f.publishAfter} />
          </p>
          <p class="field">
            <label for="incident-template">Title of automatic incidents (optional; {'{component}'} and {'{status}'} are filled in)</label>
            <input id="incident-template" name="incident_template" value={f.incidentTemplate} maxlength={140} />
          </p>
          {picker('Checks it follows', checks, props.search.q ? 'No check you may list has that in its name.' : 'No check you may list yet.', <FindChecks search={props.search} />)}
          {picker('Expectations it follows', expectations, 'No expectation you may list.')}
        </>
      )}
    </>
  );
}

const FIND_FORM = 'find-sources';

/**
 * The picker's name search, shown once there are more checks than it lists
 * (small tenants see every check and no search). Its field belongs to a GET
 * form outside the component form (`form=` attribute), as forms cannot nest.
 */
function FindChecks(props: { search: SourceSearch }) {
  const s = props.search;
  if (!s.more && !s.q) return null;
  return (
    <>
      <p class="field">
        <label for="find-q">Find checks by name</label>
        <input id="find-q" name="q" form={FIND_FORM} value={s.q} maxlength={100} /> <button type="submit" form={FIND_FORM}>
          Find
        </button>
      </p>
      {s.more ? <p class="muted">Only the first checks by name{s.q ? ` containing “${s.q}”` : ''} are listed, with those already ticked; find the others by name (a search reloads this form).</p> : null}
    </>
  );
}

/** The GET form the picker's search field submits (only where the field is shown). */
export const FindForm = (props: { action: string; search: SourceSearch }) =>
  props.search.more || props.search.q ? <form id={FIND_FORM} method="get" action={props.action} role="search" aria-label="Find checks"></form> : null;
