import type { Child } from 'hono/jsx';

/**
 * The pieces every console list is built from, so each list page says only
 * what is its own (its columns, its rows, its words when empty) and all of
 * them keep the same markup: the tests and the stylesheet rely on it.
 */

/**
 * A list's table: a header row of column names (null: a column this viewer
 * does not get, e.g. actions for a read-only key) and the rows as children.
 * `caption` names the table for screen readers only.
 */
export function ListTable(props: { columns: (string | null)[]; caption?: string; children: Child }) {
  return (
    <table>
      {props.caption ? <caption class="sr">{props.caption}</caption> : null}
      <thead>
        <tr>{props.columns.map((c) => (c === null ? null : <th scope="col">{c}</th>))}</tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}

/** One filter of a list: its name, how many match, where it leads, and whether it is the one shown. */
export interface FilterTab {
  label: string;
  count: number;
  href: string;
  current: boolean;
}

/** A list's filters as tabs, "dead (3)"; the one shown is marked (aria-current), not only styled. */
export function FilterTabs(props: { label: string; tabs: FilterTab[] }) {
  return (
    <nav aria-label={props.label}>
      <ul class="tabs">
        {props.tabs.map((t) => (
          <li>
            <a href={t.href} aria-current={t.current ? 'page' : undefined}>
              {t.label} ({t.count})
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The link to a list's next page (the route builds its cursor), or nothing on the last page. */
export function NextPageLink(props: { href: string | null; label?: string }) {
  return props.href ? (
    <p>
      <a href={props.href} rel="next">
        {props.label ?? 'Next page'}
      </a>
    </p>
  ) : null;
}
