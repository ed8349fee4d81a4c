/**
 * The design tokens both faces share (the console and the public status
 * pages): colour, spacing and type as CSS custom properties, light and dark by
 * prefers-color-scheme. Each stylesheet starts with TOKENS_CSS and names only
 * these variables, so a colour changes in one place.
 *
 * Status colours (ok, minor, major, critical, maintenance) pass WCAG AA (4.5:1)
 * as text on --bg and --card, and --on-tone (text written on a filled status
 * colour) passes on each of them; test/status/tokens.unit.test.ts checks it.
 * A status is never told by colour alone: every use comes with a word and an icon.
 */
export const LIGHT = {
  bg: '#ffffff',
  fg: '#1b1f24',
  muted: '#57606a',
  line: '#d0d7de',
  card: '#f6f8fa',
  accent: '#0969da',
  ok: '#1a7f37',
  minor: '#9a6700',
  major: '#bc4c00',
  critical: '#cf222e',
  maintenance: '#0969da',
  nodata: '#c8d1da',
  'on-tone': '#ffffff',
} as const;

export const DARK: Record<keyof typeof LIGHT, string> = {
  bg: '#0d1117',
  fg: '#e6edf3',
  muted: '#9198a1',
  line: '#30363d',
  card: '#161b22',
  accent: '#58a6ff',
  ok: '#3fb950',
  minor: '#d29922',
  major: '#f0883e',
  critical: '#ff7b72',
  maintenance: '#58a6ff',
  nodata: '#3d444d',
  'on-tone': '#0d1117',
};

/** The tones a status can take, with their icon (the word comes from the caller). */
export const STATUS_TONES = ['ok', 'minor', 'major', 'critical', 'maintenance'] as const;

const vars = (colours: Record<string, string>) =>
  Object.entries(colours)
    .map(([k, v]) => `--${k}:${v}`)
    .join(';');

const SCALE = '--s1:.25rem;--s2:.5rem;--s3:1rem;--s4:1.5rem;--s5:2rem;--radius:.375rem;--font:16px/1.5 system-ui,sans-serif;--mono:13px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace';

export const TOKENS_CSS = `:root{${vars(LIGHT)};${SCALE}}
@media (prefers-color-scheme:dark){:root{${vars(DARK)}}}
`;
