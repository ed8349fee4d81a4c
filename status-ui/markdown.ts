/**
 * Markdown-lite for incident bodies: paragraphs, `- ` lists, **bold** and
 * [links](https://…) (http and https only). Everything else is text: the
 * input is HTML-escaped before any markup is added, so no tag or attribute
 * from a body ever reaches the page.
 */
// What each UTF-16 code unit becomes: an entity, '' for characters XML 1.0 does not allow (feeds
// share this), or undefined to copy it as it is.
const REPLACEMENT = new Map<number, string>([
  [0x26, '&amp;'],
  [0x3c, '&lt;'],
  [0x3e, '&gt;'],
  [0x22, '&quot;'],
  [0x27, '&#39;'],
  [0x7f, ''],
  [0xfffe, ''],
  [0xffff, ''],
]);
for (let c = 0; c < 0x20; c++) if (c !== 0x09 && c !== 0x0a && c !== 0x0d) REPLACEMENT.set(c, '');
const replacementOf = (c: number) => (c < 0x80 || c >= 0xfffe ? REPLACEMENT.get(c) : undefined);
const utf16 = new TextDecoder('utf-16le');

/**
 * HTML-escapes `s` in one pass into a preallocated buffer: text that is all
 * markup characters grows fivefold, and building that from a million small
 * strings (what chained `replace` calls do) took half a second a megabyte.
 */
export function escapeHtml(s: string): string {
  let length = 0;
  let changed = false;
  for (let i = 0; i < s.length; i++) {
    const r = replacementOf(s.charCodeAt(i));
    if (r === undefined) length++;
    else {
      length += r.length;
      changed = true;
    }
  }
  if (!changed) return s;
  const out = new Uint16Array(length);
  let at = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const r = replacementOf(c);
    if (r === undefined) out[at++] = c;
    else for (let k = 0; k < r.length; k++) out[at++] = r.charCodeAt(k);
  }
  return utf16.decode(out);
}

/**
 * `**bold**`, then `[label](http(s)://url)`, over text already escaped. Both
 * are scanned by hand in one pass each: the regular expressions this replaces
 * backtracked over every `[` or `**` with no partner, so 20,000 `[` took
 * seconds. Each position is looked at a bounded number of times.
 */
function inline(escaped: string): string {
  return links(bold(escaped));
}

/** `**text**` → <strong>: pairs of `**` left to right, non-empty between them. */
function bold(s: string): string {
  let out = '';
  let from = 0;
  for (;;) {
    const open = s.indexOf('**', from);
    if (open < 0) break;
    // The pair needs at least one character between; with none, the second `*` may open.
    const close = s.indexOf('**', open + 3);
    if (close < 0) break; // no `**` after this one: none later can close either
    out += `${s.slice(from, open)}<strong>${s.slice(open + 2, close)}</strong>`;
    from = close + 2;
  }
  return out + s.slice(from);
}

// A character that ends a link's URL (the URL needs a `)` right after its last character).
const URL_END = /[\s)"']/;

/** `[label](https://…)` → <a>; the label holds no `]`, the URL no space, quote or `)`. */
function links(s: string): string {
  let out = '';
  let from = 0; // copied up to here
  let at = 0; // searching from here
  let failedAt = -1; // a URL scan that started before this index stops here without a `)`
  for (;;) {
    const open = s.indexOf('[', at);
    if (open < 0) break;
    const close = s.indexOf(']', open + 1);
    if (close < 0) break; // no `]` after this `[`: no later `[` has one either
    // Every `[` between open and close shares this `]`, so one attempt decides for all of them.
    at = close + 1;
    if (close === open + 1 || s[close + 1] !== '(') continue;
    const urlStart = close + 2;
    const scheme = s.startsWith('https://', urlStart) ? 8 : s.startsWith('http://', urlStart) ? 7 : 0;
    if (scheme === 0 || urlStart < failedAt) continue; // a scan from inside the failed one stops at the same character
    let end = urlStart + scheme;
    while (end < s.length && !URL_END.test(s[end]!)) end++;
    if (s[end] !== ')' || end === urlStart + scheme) {
      failedAt = end;
      continue;
    }
    out += `${s.slice(from, open)}<a href="${s.slice(urlStart, end)}" rel="nofollow noopener">${s.slice(open + 1, close)}</a>`;
    from = at = end + 1;
  }
  return out + s.slice(from);
}

export function renderMarkdownLite(source: string): string {
  const blocks = escapeHtml(source.replace(/\r\n?/g, '\n')).split(/\n{2,}/);
  return blocks
    .map((block) => {
      const lines = block.split('\n').filter((l) => l.trim() !== '');
      if (lines.length === 0) return '';
      if (lines.every((l) => /^\s*[-*] /.test(l))) return `<ul>${lines.map((l) => `<li>${inline(l.replace(/^\s*[-*] /, ''))}</li>`).join('')}</ul>`;
      return `<p>${lines.map(inline).join('<br>')}</p>`;
    })
    .join('');
}
