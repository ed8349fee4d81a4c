import { AA, contrast, HEX_COLOUR } from '../../ui/contrast.js';
import { LIGHT } from '../../ui/tokens.js';
import { bad } from './input.js';

/**
 * A page's logo URL and accent colour, as the API accepts them. Each failure
 * is a 400 naming the rule, and the route writes nothing.
 */
export const LOGO_URL_MAX = 2048;

/** `null` clears the logo. An absolute https URL without credentials, at most 2048 characters. */
export function logoUrl(v: unknown): string | null {
  if (v === null) return null;
  if (typeof v !== 'string' || v.length === 0 || v.length > LOGO_URL_MAX) throw bad(`logo_url must be an https URL of at most ${LOGO_URL_MAX} characters, or null`);
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw bad('logo_url must be an absolute https URL');
  }
  if (url.protocol !== 'https:') throw bad('logo_url must use https');
  if (url.username || url.password) throw bad('logo_url must not carry a user name or password');
  // Stored as the parser writes it (ASCII only: punycode host, percent-encoded path), so it can be
  // named exactly in the page's Content-Security-Policy header.
  if (url.href.length > LOGO_URL_MAX) throw bad(`logo_url must be an https URL of at most ${LOGO_URL_MAX} characters, or null`);
  return url.href;
}

/**
 * `null` restores the house accent. `#rrggbb` (any case, stored lower case) that
 * reaches WCAG AA (4.5:1) as text on the page's light background and cards;
 * the dark scheme shows a lightened shade of it (ui/contrast.ts darkShade).
 */
export function accentColor(v: unknown): string | null {
  if (v === null) return null;
  const colour = typeof v === 'string' ? v.toLowerCase() : '';
  if (!HEX_COLOUR.test(colour)) throw bad('accent_color must be a colour written #rrggbb, or null');
  const ratio = Math.min(contrast(colour, LIGHT.bg), contrast(colour, LIGHT.card));
  if (ratio < AA) throw bad(`accent_color ${colour} has a contrast of ${ratio.toFixed(2)}:1 with the page's light background; links need at least ${AA}:1 (choose a darker shade)`);
  return colour;
}
