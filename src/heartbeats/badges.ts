import { createHmac, timingSafeEqual } from 'node:crypto';
import { apiStatus } from './status.js';
import { rowToState, type CheckRow } from './store.js';

/**
 * Status badges, healthchecks-compatible (pure: rows and `now` in, documents out).
 *
 * URL shape: `/badge/<badge id>/<signature>[-2]/<tag>.<format>`, and for all of
 * an owner's checks `/badge/<badge id>/<signature>[-2].<format>`. The badge id
 * names the owner (one per tenant); the signature, an HMAC of (id, tag) under
 * the service's badge secret, is what makes the URL unguessable and binds it
 * to that one tag: knowing the badge of tag `db` tells nothing about `prod`.
 * `-2` asks for the two-state form (late reported as up).
 */
export type BadgeStatus = 'up' | 'late' | 'down';
export type BadgeFormat = 'svg' | 'json' | 'shields';
export const BADGE_FORMATS: readonly BadgeFormat[] = ['svg', 'json', 'shields'];

/** The label of the badge of all checks (healthchecks shows its site name there). */
export const ALL_CHECKS_LABEL = 'status';

export interface BadgeCounts {
  total: number;
  grace: number;
  down: number;
}

/** Counts of the checks at `now`: in their grace period (late), and down. New, paused and started checks count as up. */
export function badgeCounts(rows: CheckRow[], now: Date): BadgeCounts {
  let grace = 0;
  let down = 0;
  for (const row of rows) {
    const { status } = apiStatus(rowToState(row), now);
    if (status === 'down') down++;
    else if (status === 'grace') grace++;
  }
  return { total: rows.length, grace, down };
}

/** Worst first: any down check makes the badge down; else any late one makes it late (three-state only). */
export function badgeStatus(counts: BadgeCounts, states: 2 | 3): BadgeStatus {
  if (counts.down > 0) return 'down';
  if (counts.grace > 0 && states === 3) return 'late';
  return 'up';
}

const SVG_COLOR: Record<BadgeStatus, string> = { up: '#4c1', late: '#fe7d37', down: '#e05d44' };
/** shields.io's named colors. */
const SHIELDS_COLOR: Record<BadgeStatus, string> = { up: 'success', late: 'important', down: 'critical' };

/** A badge document: body and content type. */
export function renderBadge(format: BadgeFormat, label: string, counts: BadgeCounts, states: 2 | 3): { body: string; contentType: string } {
  const status = badgeStatus(counts, states);
  if (format === 'json') {
    return { body: JSON.stringify({ status, ...counts }), contentType: 'application/json' };
  }
  if (format === 'shields') {
    return { body: JSON.stringify({ schemaVersion: 1, label, message: status, color: SHIELDS_COLOR[status] }), contentType: 'application/json' };
  }
  return { body: badgeSvg(label, status), contentType: 'image/svg+xml' };
}

/** Approximate advance of one character of 11 px Verdana; the width is linear in the text's length. */
const CHAR_PX = 7;
const PAD_PX = 10;

export function textWidth(text: string): number {
  return PAD_PX + CHAR_PX * [...text].length;
}

/** A flat two-part badge: the label on grey, the status on its color. Both texts are escaped. */
export function badgeSvg(label: string, status: BadgeStatus): string {
  const lw = textWidth(label);
  const sw = textWidth(status);
  const w = lw + sw;
  const l = escapeXml(label);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${l}: ${status}">`,
    `<title>${l}: ${status}</title>`,
    '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>',
    `<clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath>`,
    `<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${sw}" height="20" fill="${SVG_COLOR[status]}"/><rect width="${w}" height="20" fill="url(#s)"/></g>`,
    '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">',
    `<text x="${lw / 2}" y="14">${l}</text><text x="${lw + sw / 2}" y="14">${status}</text>`,
    '</g></svg>',
  ].join('');
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

const SIGNATURE_CHARS = 16; // 96 bits of base64url

/** The signature of one badge: `tag` null is the badge of all checks (signed apart, so no tag can stand for it). */
export function badgeSignature(secret: Buffer, badgeId: string, tag: string | null): string {
  const subject = tag === null ? `badge:v1:${badgeId}:all` : `badge:v1:${badgeId}:tag:${tag}`;
  return createHmac('sha256', secret).update(subject).digest('base64url').slice(0, SIGNATURE_CHARS);
}

export function signatureMatches(secret: Buffer, badgeId: string, tag: string | null, presented: string): boolean {
  const expected = Buffer.from(badgeSignature(secret, badgeId, tag));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface BadgeRequest {
  badgeId: string;
  signature: string;
  states: 2 | 3;
  tag: string | null;
  format: BadgeFormat;
}

/** Parses the path after `/badge/` (still percent-encoded); undefined when it is no badge URL. */
export function parseBadgePath(path: string): BadgeRequest | undefined {
  const m = /^([A-Za-z0-9_-]{16})\/([A-Za-z0-9_-]{16})(-2)?(?:\/([^/]+))?\.(svg|json|shields)$/.exec(path);
  if (!m) return undefined;
  let tag: string | null = null;
  if (m[4] !== undefined) {
    try {
      tag = decodeURIComponent(m[4]);
    } catch {
      return undefined;
    }
    if (tag === '') return undefined;
  }
  return { badgeId: m[1]!, signature: m[2]!, states: m[3] ? 2 : 3, tag, format: m[5] as BadgeFormat };
}

/** The six URLs of one badge, as healthchecks lists them. */
export function badgeUrls(publicUrl: string, secret: Buffer, badgeId: string, tag: string | null): Record<string, string> {
  const sig = badgeSignature(secret, badgeId, tag);
  const base = `${publicUrl}/badge/${badgeId}/`;
  const suffix = tag === null ? '' : `/${encodeURIComponent(tag)}`;
  const out: Record<string, string> = {};
  for (const format of BADGE_FORMATS) {
    out[format] = `${base}${sig}-2${suffix}.${format}`;
    out[`${format}3`] = `${base}${sig}${suffix}.${format}`;
  }
  return out;
}
