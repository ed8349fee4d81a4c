import type { Child } from 'hono/jsx';
import type { Notice } from './view.js';

/**
 * The pieces the console's write forms share (incidents, maintenances,
 * status pages): the same markup everywhere, so a label always points at
 * its field and a refusal is always announced.
 */

/** What the last action did: a status line, or an alert when it was refused. Nothing without a notice. */
export function NoticeLine(props: { notice: Notice | undefined }) {
  if (!props.notice) return null;
  return (
    <p class={props.notice.ok ? undefined : 'error'} role={props.notice.ok ? 'status' : 'alert'}>
      {props.notice.text}
    </p>
  );
}

export interface Option {
  value: string;
  label: string;
}

/** A labelled drop-down; `first` goes before the options (a "none" choice). */
export function SelectField(props: { id: string; name: string; label: Child; options: Option[]; value: string; first?: Child }) {
  return (
    <p class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name={props.name}>
        {props.first}
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
    </p>
  );
}

/** The name of an incident or a maintenance (the public page's heading for it). */
export function NameField(props: { value: string }) {
  return (
    <p class="field">
      <label for="name">Name</label>
      <input id="name" name="name" value={props.value} required maxlength={200} />
    </p>
  );
}

/**
 * Which status page a composer writes to, when the viewer has more than one:
 * a link per page (the choice reloads the form for that page's components).
 */
export function StatusPagePicker(props: { pages: { slug: string; name: string }[]; current: string; hrefOf: (slug: string) => string }) {
  if (props.pages.length <= 1) return null;
  return (
    <nav aria-label="Status pages">
      <p>
        Status page:{' '}
        {props.pages.map((p) => (
          <>
            <a href={props.hrefOf(p.slug)} aria-current={p.slug === props.current ? 'page' : undefined}>
              {p.name}
            </a>{' '}
          </>
        ))}
      </p>
    </nav>
  );
}
