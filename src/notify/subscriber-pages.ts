import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { PublicDocument } from '../../status-ui/layout.js';
import type { ChoiceView } from '../../status-ui/view.js';
import type { ComponentRow } from '../incidents/index.js';

/** Sends a subscriber page with its Content-Security-Policy (the status page's: its own styles and logo only). */
export function sendPage(c: Context, doc: PublicDocument, status: ContentfulStatusCode = 200): Response {
  c.header('Content-Security-Policy', doc.csp);
  c.header('Cache-Control', 'no-store');
  return c.html(doc.body, status);
}

/**
 * The manage form's choices: the page's components in the order the page shows
 * them, each group's members after it (a group itself is not a choice: its
 * members are, ticked when the group was chosen). `selected` empty means
 * everything, so nothing is ticked.
 */
export function choicesOf(components: ComponentRow[], selected: string[]): ChoiceView[] {
  const ticked = new Set(selected);
  const out: ChoiceView[] = [];
  for (const c of components.filter((x) => x.group_id === null)) {
    const members = c.is_group ? components.filter((x) => x.group_id === c.id) : [c];
    // A subscription to a group (the API takes group ids) ticks its members, so saving the form keeps what it covered.
    for (const m of members) out.push({ id: m.id, name: m.name, group: c.is_group ? c.name : null, checked: ticked.has(m.id) || (c.is_group && ticked.has(c.id)) });
  }
  return out;
}

/** The manage form's `scope` and `components`, as the ids to keep (empty: everything); undefined when "only these" ticks none. */
export function formSelection(scope: unknown, ids: string[]): string[] | undefined {
  if (scope === 'all') return [];
  return ids.length ? ids : undefined;
}
