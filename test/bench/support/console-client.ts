/**
 * A browser-like client of the console for the benchmark: signs in with a key
 * through the login form (keeping the session cookie), follows "Next page"
 * links, and times whole requests (until the last byte of the body) over a
 * real HTTP connection.
 */
import { performance } from 'node:perf_hooks';

export interface ConsoleClient {
  cookie: string;
  /** Milliseconds until the whole body arrived, and its size; throws unless 200. */
  timedGet(path: string): Promise<{ ms: number; bytes: number }>;
  text(path: string): Promise<string>;
}

/** Signs in at POST /console/login as a browser would (a form with `key`), keeping the cookie. */
export async function signIn(base: string, key: string): Promise<ConsoleClient> {
  const res = await fetch(`${base}/console/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key }).toString(),
    redirect: 'manual',
  });
  const setCookie = res.headers.get('set-cookie');
  await res.arrayBuffer();
  if (res.status !== 303 || !setCookie) throw new Error(`sign-in answered ${res.status}`);
  const cookie = setCookie.split(';')[0]!;
  const get = async (path: string) => {
    const r = await fetch(`${base}${path}`, { headers: { cookie, accept: 'text/html' }, redirect: 'manual' });
    const body = new Uint8Array(await r.arrayBuffer());
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status}`);
    return body;
  };
  return {
    cookie,
    async timedGet(path) {
      const start = performance.now();
      const body = await get(path);
      return { ms: performance.now() - start, bytes: body.byteLength };
    },
    text: async (path) => new TextDecoder().decode(await get(path)),
  };
}

/** The `rel="next"` link of a checks page, or null on the last page. */
export function nextLink(html: string): string | null {
  const m = /<a href="([^"]+)" rel="next"/.exec(html);
  return m ? m[1]!.replace(/&amp;/g, '&') : null;
}

/** Follows "Next page" from `first` up to `depth` times; returns the deepest page reached and its number (1 = first). */
export async function deepPage(client: ConsoleClient, first: string, depth: number): Promise<{ path: string; page: number }> {
  let path = first;
  let page = 1;
  while (page <= depth) {
    const next = nextLink(await client.text(path));
    if (!next) break;
    path = next;
    page++;
  }
  return { path, page };
}
