import type { Browser } from 'playwright-core';
import { listen } from '../../src/http/server.js';
import { drivenOverdue, type TestOverdue } from './app.js';
import { launchChromium } from './browser.js';
import type { ManualClock } from './clock.js';
import { testDatabase, type TestDatabase } from './db.js';
import { json } from './http.js';
import { insertApiKey } from './keys.js';

/** The service over real HTTP with an admin key, and chromium to look at it. */
export interface ServedForBrowser {
  t: TestDatabase;
  o: TestOverdue;
  /** http://127.0.0.1:<port> */
  base: string;
  admin: string;
  browser: Browser;
  /** The API as the admin, over HTTP; an answer of 300 or more throws with its body. */
  api(method: string, path: string, body?: unknown): Promise<any>;
  /** Closes chromium, the listener, the service and the database, in that order. */
  close(): Promise<void>;
}

/**
 * What the public pages' browser tests start from: a fresh database, the
 * service on `clock` listening on a free port, an admin key and a chromium.
 * A step that fails closes what was started before it.
 */
export async function servedForBrowser(clock: ManualClock): Promise<ServedForBrowser> {
  const release: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const step of release.reverse().splice(0)) await step();
  };
  try {
    const t = await testDatabase();
    release.push(() => t.close());
    const o = await drivenOverdue({ database: t, clock });
    release.push(() => o.stop());
    const http = await listen(o.app, { port: 0, host: '127.0.0.1' });
    release.push(() => http.close(1000));
    const base = `http://127.0.0.1:${http.port}`;
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    const browser = await launchChromium();
    release.push(() => browser.close());
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
      const out = await json(res);
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(out)}`);
      return out;
    };
    return { t, o, base, admin, browser, api, close };
  } catch (err) {
    await close();
    throw err;
  }
}
