import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import type { Badges } from './badge-service.js';
import { parseBadgePath } from './badges.js';

/** How long a client or proxy (GitHub's image proxy, a CDN) may reuse a badge before asking again. */
const BADGE_MAX_AGE_S = 60;

/**
 * Public badge documents: no key, the URL itself is the capability. Anything
 * that is not a badge this service signed answers the same 404, so a probe
 * learns nothing about which ids or tags exist.
 */
export function badgeRoutes(badges: Badges): Hono {
  const app = new Hono();
  app.get('/badge/*', async (c) => {
    // The raw path: a tag may hold an encoded '/', which must not split it.
    const rest = new URL(c.req.url).pathname.slice('/badge/'.length);
    const req = parseBadgePath(rest);
    const doc = req && (await badges.render(req));
    if (!doc) return c.json({ error: 'not found' }, 404, { 'Cache-Control': 'no-store' });
    const etag = `"${createHash('sha256').update(doc.body).digest('base64url').slice(0, 27)}"`;
    const headers = {
      'Cache-Control': `public, max-age=${BADGE_MAX_AGE_S}`,
      ETag: etag,
      'Access-Control-Allow-Origin': '*',
    };
    if (ifNoneMatch(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers);
    return c.body(doc.body, 200, { ...headers, 'Content-Type': `${doc.contentType}; charset=utf-8` });
  });
  return app;
}

/** RFC 9110: `*`, or a list of (possibly weak) tags compared weakly. */
function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}
