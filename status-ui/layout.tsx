import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { publicCsp } from './csp.js';
import { brandCss, CSS } from './styles.js';
import type { Brand, Tone } from './view.js';

const ICON: Record<Tone, string> = { ok: '✓', minor: '!', major: '▲', critical: '✕', maintenance: '⚙' };

/** A status's icon; the word always stands beside it (colour and icon are never the only signal). */
export function Icon(props: { tone: Tone }) {
  return (
    <span class="icon" aria-hidden="true">
      {ICON[props.tone]}
    </span>
  );
}

export const homeOf = (brand: Brand) => (brand.basePath === '' ? '/' : brand.basePath);

/** A public document and the Content-Security-Policy that lets exactly its own blocks and logo load. */
export interface PublicDocument {
  body: string;
  csp: string;
}

/**
 * Every public page's frame: the page's header (logo and name, in its accent),
 * a skip link, and the stylesheet. `script` is an inline script the page adds
 * (progressive enhancement only).
 */
export function publicDocument(props: { brand: Brand; title: string; script?: string; children: Child }): PublicDocument {
  const { brand } = props;
  const styles = [CSS, brandCss(brand)].filter((s) => s !== '');
  const node = (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{props.title}</title>
        {styles.map((s) => (
          <style>{raw(s)}</style>
        ))}
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="brand">
          <div>
            {/* The name beside it says whose logo it is, so the image itself is decorative. */}
            {brand.logoUrl ? <img src={brand.logoUrl} alt="" height="40" referrerpolicy="no-referrer" /> : null}
            <a href={homeOf(brand)}>{brand.name}</a>
          </div>
        </header>
        <main id="main">{props.children}</main>
        {props.script ? <script>{raw(props.script)}</script> : null}
      </body>
    </html>
  );
  return { body: `<!doctype html>${String(node)}`, csp: publicCsp({ styles, scripts: props.script ? [props.script] : [], logoUrl: brand.logoUrl }) };
}
