import { createHash } from 'node:crypto';

/**
 * The public pages' Content-Security-Policy: nothing loads but the page's own
 * inline style and script blocks (named by their SHA-256, so no other inline
 * code runs), the page's logo (that one URL's path on its https origin, and no
 * other image), and forms posting back to this origin.
 */
export function publicCsp(p: { styles: string[]; scripts: string[]; logoUrl: string | null }): string {
  const hashes = (blocks: string[]) => (blocks.length ? blocks.map((b) => `'sha256-${createHash('sha256').update(b).digest('base64')}'`).join(' ') : "'none'");
  return [
    "default-src 'none'",
    `style-src ${hashes(p.styles)}`,
    `script-src ${hashes(p.scripts)}`,
    `img-src ${p.logoUrl ? logoSource(p.logoUrl) : "'none'"}`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * A CSP source expression for exactly the logo's path: origin and path, no
 * query (CSP matches paths, not queries). Characters a source expression may
 * not hold (`;` and `,` end it; others are outside RFC 3986's path) are
 * percent-encoded; browsers decode both sides before comparing.
 */
export function logoSource(url: string): string {
  const u = new URL(url);
  const path = u.pathname.replace(/[^A-Za-z0-9\-._~!$&'()*+=:@/%]/g, (ch) => encodeURIComponent(ch));
  return `${u.origin}${path}`;
}
