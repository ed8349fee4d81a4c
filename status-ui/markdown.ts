/**
 * Markdown-lite for incident bodies: paragraphs, `- ` lists, **bold** and
 * [links](https://…) (http and https only). Everything else is text: the
 * input is HTML-escaped before any markup is added, so no tag or attribute
 * from a body ever reaches the page.
 *
 * Rendering is linear in its input and allocates no string per line or per
 * match: the text is escaped into UTF-16 code units once, scanned by hand, and
 * written into one growing buffer. The regular expressions this replaces
 * backtracked over every `[` or `**` without a partner (20,000 `[` took
 * seconds), and building the output from a million small strings cost half a
 * second a megabyte on hostile input. test/status/markdown.unit.test.ts holds
 * the render budget.
 */

// What each ASCII code unit becomes: WIDTH[c] code units (1: itself; 0: dropped, for characters
// XML 1.0 does not allow, which feeds share; 4 to 6: an entity, found at ENTITY_AT[c] in ENTITIES).
// U+FFFE and U+FFFF are dropped too.
const WIDTH = new Int8Array(128).fill(1);
const ENTITY_AT = new Int32Array(128);
const ENTITY_LIST: number[] = [];
for (let c = 0; c < 0x20; c++) if (c !== 0x09 && c !== 0x0a && c !== 0x0d) WIDTH[c] = 0;
WIDTH[0x7f] = 0;
for (const [ch, entity] of [['&', '&amp;'], ['<', '&lt;'], ['>', '&gt;'], ['"', '&quot;'], ["'", '&#39;']] as const) {
  const c = ch.charCodeAt(0);
  WIDTH[c] = entity.length;
  ENTITY_AT[c] = ENTITY_LIST.length;
  for (const e of entity) ENTITY_LIST.push(e.charCodeAt(0));
}
const ENTITIES = Uint16Array.from(ENTITY_LIST);

const LF = 0x0a;
const CR = 0x0d;
const STAR = 0x2a;

/**
 * `s` HTML-escaped into code units, or undefined when escaping changes nothing
 * (and `lines` is off). With `lines`, CR LF and a lone CR become one LF.
 * Two tight passes: the size (an upper bound when CRs are merged), then the units.
 */
function escapeUnits(s: string, lines: boolean): Uint16Array | undefined {
  const n = s.length;
  let length = 0;
  let special = false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const w = c < 0x80 ? WIDTH[c]! : c >= 0xfffe ? 0 : 1;
    length += w;
    if (w !== 1 || c === CR) special = true;
  }
  if (!special && !lines) return undefined;
  const out = new Uint16Array(length);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      if (c < 0xfffe) out[at++] = c;
      continue;
    }
    const w = WIDTH[c]!;
    if (w === 1) {
      if (c !== CR || !lines) out[at++] = c;
      else if (s.charCodeAt(i + 1) !== LF) out[at++] = LF;
    } else if (w > 1) {
      for (let k = ENTITY_AT[c]!, end = k + w; k < end; k++) out[at++] = ENTITIES[k]!;
    }
  }
  return at === length ? out : out.subarray(0, at);
}

const decode = (units: Uint16Array, length = units.length) => Buffer.from(units.buffer, units.byteOffset, length * 2).toString('utf16le');

/** HTML-escapes `s`: the five markup characters become entities; characters XML 1.0 does not allow are dropped. */
export function escapeHtml(s: string): string {
  const units = escapeUnits(s, false);
  return units ? decode(units) : s;
}

/** A growing buffer of UTF-16 code units. */
class Units {
  buf: Uint16Array;
  n = 0;
  constructor(capacity: number) {
    this.buf = new Uint16Array(capacity);
  }
  reserve(k: number): void {
    if (this.n + k <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + k) size *= 2;
    const next = new Uint16Array(size);
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }
  text(units: Uint16Array): void {
    this.copy(units, 0, units.length);
  }
  copy(src: Uint16Array, from: number, to: number): void {
    if (to <= from) return;
    this.reserve(to - from);
    // Short ranges (most of them on hostile input) by hand: a subarray view per copy costs more than the copy.
    if (to - from < 64) {
      const buf = this.buf;
      let n = this.n;
      for (let i = from; i < to; i++) buf[n++] = src[i]!;
      this.n = n;
    } else {
      this.buf.set(src.subarray(from, to), this.n);
      this.n += to - from;
    }
  }
}

/** JavaScript's `\s`: what `trim()` removes and what ends a link's URL. */
function isSpace(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

type Slot = 0 | 1 | 2;
const STARS: Slot = 0;
const OPENS: Slot = 1;
const CLOSES: Slot = 2;
const UNIT_OF = [0x2a, 0x5b, 0x5d];

/**
 * Finds code units in a text with the native `indexOf`, remembering each
 * answer: a search that starts inside the stretch the last one passed over
 * reuses it, so searches whose start only grows (as every scan here does) read
 * each position once, even when the answer lies far beyond the current line.
 */
class Finder {
  // Per searched unit (STAR, OPEN, CLOSE): where the last search started and what it found.
  readonly #from = new Int32Array(3).fill(-1);
  readonly #found = new Int32Array(3).fill(-1);
  constructor(readonly t: Uint16Array) {}

  /** The first index at or after `from` holding the unit of `slot`, or the text's length. */
  next(slot: Slot, from: number): number {
    const found = this.#found[slot]!;
    if (this.#from[slot]! <= from && from <= found) return found;
    // Near answers are found faster by a plain loop than by a call into the native search.
    const t = this.t;
    const unit = UNIT_OF[slot]!;
    const near = Math.min(t.length, from + 32);
    let i = from;
    while (i < near && t[i] !== unit) i++;
    if (i === near && near < t.length) {
      i = t.indexOf(unit, near);
      if (i < 0) i = t.length;
    }
    this.#from[slot] = from;
    this.#found[slot] = i;
    return i;
  }

  /** The first index in [from, to) holding the unit of `slot`, or -1. */
  within(slot: Slot, from: number, to: number): number {
    const i = this.next(slot, from);
    return i < to ? i : -1;
  }

  /** The first index in [from, to) where `**` starts, or -1. */
  stars(from: number, to: number): number {
    for (let i = this.next(STARS, from); i + 1 < to; i = this.next(STARS, i + 1)) if (this.t[i + 1] === STAR) return i;
    return -1;
  }
}

const units = (s: string) => Uint16Array.from(s, (ch) => ch.charCodeAt(0));
const TAG = {
  strong: units('<strong>'),
  strongEnd: units('</strong>'),
  aStart: units('<a href="'),
  aMid: units('" rel="nofollow noopener">'),
  aEnd: units('</a>'),
  ul: units('<ul>'),
  ulEnd: units('</ul>'),
  li: units('<li>'),
  liEnd: units('</li>'),
  p: units('<p>'),
  pEnd: units('</p>'),
  br: units('<br>'),
};
const HTTPS = units('https://');
const HTTP = units('http://');

const PAREN = 0x28;
const END_PAREN = 0x29;

/**
 * `**text**` → <strong> over one line [from, to): pairs of `**` left to right,
 * non-empty between. Returns false, writing nothing, when the line has no pair.
 */
function bold(f: Finder, from: number, to: number, out: Units): boolean {
  const t = f.t;
  let copied = from;
  let at = from;
  for (;;) {
    const open = f.stars(at, to);
    if (open < 0) break;
    // The pair needs at least one character between; with none, the second `*` may open.
    const close = f.stars(open + 3, to);
    if (close < 0) break; // no `**` after this one: none later can close either
    out.copy(t, copied, open);
    out.text(TAG.strong);
    out.copy(t, open + 2, close);
    out.text(TAG.strongEnd);
    copied = at = close + 2;
  }
  if (copied === from) return false;
  out.copy(t, copied, to);
  return true;
}

const startsWith = (t: Uint16Array, at: number, to: number, s: Uint16Array) => {
  if (at + s.length > to) return false;
  for (let k = 0; k < s.length; k++) if (t[at + k] !== s[k]) return false;
  return true;
};

/** `[label](https://…)` → <a> over [from, to): the label holds no `]`, the URL no space, quote or `)`. */
function links(f: Finder, from: number, to: number, out: Units): void {
  const t = f.t;
  let copied = from;
  let at = from;
  let failedAt = -1; // a URL scan that started before this index stops here without a `)`
  for (;;) {
    const open = f.within(OPENS, at, to);
    if (open < 0) break;
    const close = f.within(CLOSES, open + 1, to);
    if (close < 0) break; // no `]` after this `[`: no later `[` has one either
    // Every `[` between open and close shares this `]`, so one attempt decides for all of them.
    at = close + 1;
    if (close === open + 1 || close + 1 >= to || t[close + 1] !== PAREN) continue;
    const urlStart = close + 2;
    const scheme = startsWith(t, urlStart, to, HTTPS) ? 8 : startsWith(t, urlStart, to, HTTP) ? 7 : 0;
    if (scheme === 0 || urlStart < failedAt) continue; // a scan from inside the failed one stops at the same character
    let end = urlStart + scheme;
    while (end < to && t[end] !== END_PAREN && !isSpace(t[end]!)) end++;
    if (end >= to || t[end] !== END_PAREN || end === urlStart + scheme) {
      failedAt = end;
      continue;
    }
    out.copy(t, copied, open);
    out.text(TAG.aStart);
    out.copy(t, urlStart, end);
    out.text(TAG.aMid);
    out.copy(t, open + 1, close);
    out.text(TAG.aEnd);
    copied = at = end + 1;
  }
  out.copy(t, copied, to);
}

/** Where a list line's text starts (after spaces, `-` or `*`, and one space), or -1 if it is not an item. */
function itemText(t: Uint16Array, from: number, to: number): number {
  let i = from;
  while (i < to && isSpace(t[i]!)) i++;
  return i + 1 < to && (t[i] === 0x2d || t[i] === STAR) && t[i + 1] === 0x20 ? i + 2 : -1;
}

/** Where the line from `start` ends: the next line break, never past the block's end `to`. */
function lineEnd(t: Uint16Array, start: number, to: number): number {
  let i = start;
  while (i < to && t[i] !== LF) i++;
  return i;
}

function isBlank(t: Uint16Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isSpace(t[i]!)) return false;
  return true;
}

/**
 * Renders one block (lines between blank-line separators): whitespace-only
 * lines are dropped; if every other line is an item (`- ` or `* `), a list,
 * else a paragraph with <br> between lines. Bold is applied to a line first,
 * links to the result.
 */
function block(f: Finder, from: number, to: number, out: Units, line: Units): void {
  const t = f.t;
  // First pass: is any line not blank, and is every such line an item? (Stops at the first non-item.)
  let lines = 0;
  let list = true;
  for (let start = from; start <= to && list; ) {
    const end = lineEnd(t, start, to);
    if (!isBlank(t, start, end)) {
      lines++;
      if (itemText(t, start, end) < 0) list = false;
    }
    start = end + 1;
  }
  if (lines === 0) return;
  out.text(list ? TAG.ul : TAG.p);
  let first = true;
  for (let start = from; start <= to; ) {
    const end = lineEnd(t, start, to);
    if (!isBlank(t, start, end)) {
      if (list) out.text(TAG.li);
      else if (!first) out.text(TAG.br);
      first = false;
      const text = list ? itemText(t, start, end) : start;
      line.n = 0;
      if (bold(f, text, end, line)) links(new Finder(line.buf.subarray(0, line.n)), 0, line.n, out);
      else links(f, text, end, out);
      if (list) out.text(TAG.liEnd);
    }
    start = end + 1;
  }
  out.text(list ? TAG.ulEnd : TAG.pEnd);
}

/** Paragraphs (separated by runs of two or more line breaks, lines joined with <br>) and lists. */
export function renderMarkdownLite(source: string): string {
  const t = escapeUnits(source, true)!;
  const f = new Finder(t);
  const out = new Units(t.length + 64);
  const line = new Units(256);
  for (let i = 0; i < t.length; ) {
    let end = t.indexOf(LF, i);
    while (end >= 0 && t[end + 1] !== LF) end = t.indexOf(LF, end + 1);
    if (end < 0) end = t.length;
    block(f, i, end, out, line);
    i = end;
    while (i < t.length && t[i] === LF) i++;
  }
  return decode(out.buf, out.n);
}
