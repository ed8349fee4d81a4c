import type { TestOverdue } from './app.js';

/** A browser-like client of the console over app.request: keeps the session cookie, posts forms. */
export function consoleClient(o: TestOverdue) {
  let cookie = '';
  const request = async (method: string, path: string, form?: Record<string, string>) => {
    const res = await o.app.request(path, {
      method,
      headers: { ...(cookie && { cookie }), ...(form && { 'content-type': 'application/x-www-form-urlencoded' }) },
      ...(form && { body: new URLSearchParams(form).toString() }),
      redirect: 'manual',
    });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0]!.endsWith('=') ? '' : set.split(';')[0]!;
    return { status: res.status, location: res.headers.get('location'), text: await res.text(), setCookie: set };
  };
  return {
    request,
    get cookie() {
      return cookie;
    },
    set cookie(v: string) {
      cookie = v;
    },
    csrf: (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '',
    signIn: (key: string) => request('POST', '/console/login', { key }),
  };
}

