import { Hono, type Context } from 'hono';
import type { AppEnv } from '../http/app.js';
import type { PageCache } from './page-cache.js';

export const STATUSPAGE_DOCUMENTS = [
  'summary.json',
  'status.json',
  'components.json',
  'incidents.json',
  'incidents/unresolved.json',
  'scheduled-maintenances.json',
  'scheduled-maintenances/upcoming.json',
  'scheduled-maintenances/active.json',
];

const CACHE_CONTROL = 'public, max-age=10, stale-while-revalidate=60';

/**
 * The public status pages: Statuspage v2 JSON, HTML and feeds for the default
 * page (at /) and every other page (at /s/<slug>/), from the page cache.
 */
export function publicRoutes(cache: PageCache, htmlPaths: string[]): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const serve = async (c: Context<AppEnv>, slug: string, path: string) => {
    const doc = await cache.get(slug, path);
    if (doc === 'no_page' || !doc) return c.json({ error: { code: 'not_found', message: `no ${doc === 'no_page' ? 'page' : 'document'} here` } }, 404);
    // Two representations (gzip once per render, and plain), each with its own strong ETag.
    const gzip = doc.gzip !== null && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    const etag = gzip ? `${doc.etag.slice(0, -1)}-gz"` : doc.etag;
    c.header('Cache-Control', CACHE_CONTROL);
    c.header('ETag', etag);
    c.header('Vary', 'Accept-Encoding');
    c.header('Access-Control-Allow-Origin', '*');
    const match = c.req.header('if-none-match');
    if (match && match.split(',').map((s) => s.trim()).includes(etag)) return c.body(null, 304);
    c.header('Content-Type', doc.contentType);
    if (doc.csp) c.header('Content-Security-Policy', doc.csp);
    if (gzip) {
      c.header('Content-Encoding', 'gzip');
      return c.body(doc.gzip as Uint8Array<ArrayBuffer>);
    }
    return c.body(doc.body);
  };
  for (const doc of STATUSPAGE_DOCUMENTS) {
    app.get(`/api/v2/${doc}`, (c) => serve(c, 'default', `api/v2/${doc}`));
    app.get(`/s/:slug/api/v2/${doc}`, (c) => serve(c, c.req.param('slug'), `api/v2/${doc}`));
  }
  for (const path of htmlPaths) {
    app.get(`/${path}`, (c) => serve(c, 'default', path));
    app.get(path === '' ? '/s/:slug' : `/s/:slug/${path}`, (c) => serve(c, c.req.param('slug'), path));
  }
  app.get('/history/:n{[0-9]+}', (c) => serve(c, 'default', `history/${c.req.param('n')}`));
  app.get('/s/:slug/history/:n{[0-9]+}', (c) => serve(c, c.req.param('slug'), `history/${c.req.param('n')}`));
  app.get('/incidents/:id', (c) => serve(c, 'default', `incidents/${c.req.param('id')}`));
  app.get('/s/:slug/incidents/:id', (c) => serve(c, c.req.param('slug'), `incidents/${c.req.param('id')}`));
  return app;
}
