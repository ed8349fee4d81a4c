/**
 * WCAG 2 contrast between `#rrggbb` colours, and the dark-scheme shade of a
 * page's accent colour. Pure: the API checks an accent colour with it, and the
 * status page derives the accent it shows on a dark background from it.
 */
export const HEX_COLOUR = /^#[0-9a-f]{6}$/;
/** WCAG AA for normal text. */
export const AA = 4.5;

function channels(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function luminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
}

const hex2 = (n: number) => Math.round(n).toString(16).padStart(2, '0');

/** `colour` mixed towards white by `t` (0: itself, 1: white). */
function lighten(colour: string, t: number): string {
  return `#${channels(colour).map((c) => hex2(c + (255 - c) * t)).join('')}`;
}

/**
 * The accent on a dark background: the colour itself when it already reaches
 * AA against every one of `backgrounds`, else the least lightened shade that
 * does (white always does against the dark scheme's backgrounds).
 */
export function darkShade(colour: string, backgrounds: readonly string[]): string {
  const passes = (c: string) => backgrounds.every((bg) => contrast(c, bg) >= AA);
  for (let step = 0; step <= 20; step++) {
    const shade = lighten(colour, step / 20);
    if (passes(shade)) return shade;
  }
  return '#ffffff';
}
