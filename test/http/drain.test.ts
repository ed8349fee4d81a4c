import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/http/server.js';
import { testOverdue, type TestOverdue } from '../support/app.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';

describe(`graceful close on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  beforeAll(async () => {
    t = await testDatabase();
    o = testOverdue({ database: t });
    await o.start();
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('finishes a request in flight, refuses new connections, and then resolves', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    o.app.get('/test/slow', async (c) => {
      entered();
      await gate;
      return c.text('finished');
    });
    const http = await listen(o.app, { port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${http.port}`;
    // An idle keep-alive connection must not hold close() open.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    const inflight = fetch(`${base}/test/slow`);
    await inside;
    let closed = false;
    const closing = http.close(5000).then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(false);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();

    release();
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('finished');
    await closing;
    expect(closed).toBe(true);
  });
});
