import { describe, expect, it } from 'vitest';
import { escapeHtml, renderMarkdownLite } from '../../status-ui/markdown.js';

/**
 * The markdown-lite rules as regular expressions: how it was written before
 * issue 17, correct but quadratic. Kept as the oracle for small inputs.
 */
function oracle(source: string): string {
  const inline = (escaped: string) =>
    escaped
      .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
      .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)"']+)\)/g, (_m, label: string, url: string) => `<a href="${url}" rel="nofollow noopener">${label}</a>`);
  return escapeHtml(source.replace(/\r\n?/g, '\n'))
    .split(/\n{2,}/)
    .map((block) => {
      const lines = block.split('\n').filter((l) => l.trim() !== '');
      if (lines.length === 0) return '';
      if (lines.every((l) => /^\s*[-*] /.test(l))) return `<ul>${lines.map((l) => `<li>${inline(l.replace(/^\s*[-*] /, ''))}</li>`).join('')}</ul>`;
      return `<p>${lines.map(inline).join('<br>')}</p>`;
    })
    .join('');
}

/** A small deterministic generator, so a failure names its input. */
function* randomInputs(count: number, seed: number): Generator<string> {
  const alphabet = ['[', ']', '(', ')', '*', '**', 'http://', 'https://', 'x', ' ', 'a', '\n', '\n', '\r', '"', "'", '\u00a0', '<', '&', '-', '- ', '* ', '/', 'h', '\t', 'é', '😀', '\u0000'];
  let s = seed;
  const next = (n: number) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
  for (let i = 0; i < count; i++) {
    let text = '';
    for (let j = next(30); j > 0; j--) text += alphabet[next(alphabet.length)];
    yield text;
  }
}

/** The fastest of `runs` renders after warming the code up, in ms (the machine may be busy with other tests). */
function bestTime(input: string, runs = 10): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    renderMarkdownLite(input);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const MB = 1_000_000;
const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
const HOSTILE: [string, string][] = [
  ['unclosed [', fill('[')],
  ['unclosed link', fill('[a](http://')],
  ['bold pairs', fill('**a')],
  ['stars', fill('*')],
  ['entities (5× growth)', fill('&<>"\'')],
  ['one-character list items', fill('- **\n')],
  ['one-character lines', fill('x\n')],
  ['one-character paragraphs', fill('x\n\n')],
  ['links', fill('[x](https://a.example/)')],
  ['mixed', fill('- [**<a>**](https://x.y/&"\')\n')],
];

describe('markdown-lite', () => {
  it('renders exactly what the regular-expression rules render, on 50,000 random small inputs', () => {
    for (const input of randomInputs(50_000, 17)) expect(renderMarkdownLite(input), JSON.stringify(input)).toBe(oracle(input));
  });

  it('examples: paragraphs, lists, bold, http(s) links only, everything escaped', () => {
    expect(renderMarkdownLite('We are **investigating**.\r\nMore [here](https://status.example.com/x).\n\n- one\n- two')).toBe(
      '<p>We are <strong>investigating</strong>.<br>More <a href="https://status.example.com/x" rel="nofollow noopener">here</a>.</p><ul><li>one</li><li>two</li></ul>',
    );
    expect(renderMarkdownLite('[x](javascript:alert(1)) <img src=x onerror=alert(1)>')).toBe('<p>[x](javascript:alert(1)) &lt;img src=x onerror=alert(1)&gt;</p>');
    // A quote cannot end the href: it arrives as &quot; inside the quoted attribute.
    expect(renderMarkdownLite('[a](https://x.example/"onmouseover="y)')).toBe('<p><a href="https://x.example/&quot;onmouseover=&quot;y" rel="nofollow noopener">a</a></p>');
    expect(renderMarkdownLite('\n \n\t\n')).toBe('');
  });

  // Issue 17 item 1: a body of 20,000 `[` and a postmortem of 100,000 `[` took 10.5 s to render.
  // Retried: a shared CI machine can be busy for a whole measurement; linear code passes on a calm one.
  // 100 ms, not the 25–40 ms a calm machine takes: with the suite's workers on both cores the best of
  // ten reached 51–55 ms for 1 MB of stars. Quadratic rendering takes seconds here, so it still fails.
  it('render budget: 1 MB of each kind of hostile text in under 100 ms, and time grows linearly', { retry: 3 }, () => {
    const times: Record<string, number> = {};
    for (const [name, input] of HOSTILE) {
      for (let i = 0; i < 3; i++) renderMarkdownLite(input); // let the JIT compile the scanners for this shape of input
      times[name] = bestTime(input);
      expect(times[name], `${name}: ${times[name]!.toFixed(1)} ms`).toBeLessThan(100);
      // A quarter of the input takes about a quarter of the time (quadratic: a sixteenth; the margin is for the collector).
      const quarter = bestTime(input.slice(0, MB / 4));
      expect(times[name]! / Math.max(quarter, 0.5), `${name}: 1 MB ${times[name]!.toFixed(1)} ms, 250 kB ${quarter.toFixed(1)} ms`).toBeLessThan(10);
    }
    console.log(`markdown render, 1 MB hostile (best of 10, ms): ${Object.entries(times).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
  });

  it('the reproduced incident: 20,000 `[` in a body and 100,000 in a postmortem render in milliseconds', () => {
    expect(bestTime('['.repeat(20_000))).toBeLessThan(10);
    expect(bestTime('['.repeat(100_000))).toBeLessThan(20);
  });
});
