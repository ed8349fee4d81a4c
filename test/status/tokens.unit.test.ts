import { describe, expect, it } from 'vitest';
import { CONSOLE_CSS } from '../../console-ui/styles.js';
import { logoSource } from '../../status-ui/csp.js';
import { CSS } from '../../status-ui/styles.js';
import { AA, contrast, darkShade } from '../../ui/contrast.js';
import { DARK, LIGHT, STATUS_TONES, TOKENS_CSS } from '../../ui/tokens.js';

describe('shared design tokens', () => {
  it('every status colour passes WCAG AA as text on the background and cards, and under text on it, light and dark', () => {
    const failures: string[] = [];
    for (const [scheme, t] of [['light', LIGHT], ['dark', DARK]] as const) {
      for (const tone of [...STATUS_TONES, 'accent', 'muted', 'fg'] as const) {
        for (const bg of ['bg', 'card'] as const) if (contrast(t[tone], t[bg]) < AA) failures.push(`${scheme} ${tone} on ${bg}: ${contrast(t[tone], t[bg]).toFixed(2)}`);
        if (STATUS_TONES.includes(tone as never) && contrast(t['on-tone'], t[tone]) < AA) failures.push(`${scheme} on-tone on ${tone}`);
      }
    }
    expect(failures).toEqual([]);
    // The check can fail: a pale yellow is far below AA on white.
    expect(contrast('#ffff00', '#ffffff')).toBeLessThan(1.1);
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
  });

  it('both stylesheets start from the same tokens', () => {
    expect(CONSOLE_CSS).toContain(TOKENS_CSS);
    expect(CSS.startsWith(TOKENS_CSS)).toBe(true);
    // The console keeps its state names, as aliases of the shared tones.
    expect(CONSOLE_CSS).toContain('--down:var(--critical)');
  });

  it('derives a dark-scheme accent that keeps AA, the least lightened one', () => {
    for (const accent of ['#6e40c9', '#0b5cad', '#1a7f37', '#000000', '#cf222e']) {
      const shade = darkShade(accent, [DARK.bg, DARK.card]);
      expect(contrast(shade, DARK.bg)).toBeGreaterThanOrEqual(AA);
      expect(contrast(shade, DARK.card)).toBeGreaterThanOrEqual(AA);
    }
    expect(darkShade('#58a6ff', [DARK.bg, DARK.card])).toBe('#58a6ff'); // already fine: unchanged
  });

  it('names exactly the logo in img-src: origin and path, no query, separators encoded', () => {
    expect(logoSource('https://cdn.example.com/img/logo.svg?v=2#x')).toBe('https://cdn.example.com/img/logo.svg');
    expect(logoSource('https://cdn.example.com:8443/a;b,c|d.png')).toBe('https://cdn.example.com:8443/a%3Bb%2Cc%7Cd.png');
  });
});
