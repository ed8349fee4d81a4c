import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/keys.js';
import { migrations } from '../../src/db/migrations/index.js';
import { listen, type Listening } from '../../src/http/server.js';
import { testOverdue, type TestOverdue } from '../support/app.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { json } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';

/** What @hono/node-server hands a route for a request from `address` (the app is called in-process). */
function fromPeer(address: string, headers: Record<string, string> = {}) {
  return { incoming: { socket: { remoteAddress: address, remotePort: 40_000, remoteFamily: address.includes(':') ? 'IPv6' : 'IPv4' }, headers } };
}

const DETAILS = ['status', 'problems', 'schema', 'background'];

describe(`/readyz: status for anyone, details for the operator, on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let behind: TestOverdue; // a database behind the code: 503
  let admin: string;
  let tenant: string;
  let server: Listening;
  let behindServer: Listening;

  beforeAll(async () => {
    t = await testDatabase();
    o = testOverdue({ database: t });
    await o.start();
    behind = testOverdue({ database: t, migrations: { ...migrations, '9000_next': { up: async () => undefined } } });
    await behind.start();
    admin = await insertApiKey(t.db, { kind: 'admin' }, o.clock.now());
    tenant = await insertApiKey(t.db, { kind: 'tenant', tenantId: '5f1c8a2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b' }, o.clock.now());
    server = await listen(o.app, { port: 0, host: '127.0.0.1' });
    behindServer = await listen(behind.app, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await server?.close(1000);
    await behindServer?.close(1000);
    await behind?.stop();
    await o?.stop();
    await t?.close();
  });

  const remote = (app: TestOverdue, headers: Record<string, string> = {}) => app.app.request('/readyz', { headers }, fromPeer('203.0.113.9', headers));

  it('from elsewhere without a key: only the status, not cached (200 ready, 503 unavailable)', async () => {
    const ready = await remote(o);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('cache-control')).toBe('no-store');
    expect(await json(ready)).toEqual({ status: 'ready' });

    const down = await remote(behind);
    expect(down.status).toBe(503);
    expect(down.headers.get('cache-control')).toBe('no-store');
    expect(await json(down)).toEqual({ status: 'unavailable' });
  });

  it('a tenant key, an unknown key or a revoked admin key see only the status (and are not refused)', async () => {
    for (const headers of [{ authorization: `Bearer ${tenant}` }, { 'x-api-key': 'od_admin_not-a-real-key-000000000000000' }] as Record<string, string>[]) {
      const res = await remote(behind, headers);
      expect(res.status).toBe(503);
      expect(await json(res)).toEqual({ status: 'unavailable' });
    }
    const old = await insertApiKey(t.db, { kind: 'admin' }, o.clock.now());
    await t.db.updateTable('api_keys').set({ revoked_at: o.clock.now() }).where('key_hash', '=', hashApiKey(old)).execute();
    expect(await json(await remote(behind, { 'x-api-key': old }))).toEqual({ status: 'unavailable' });
  });

  it('the admin key (Bearer or X-Api-Key) sees the details', async () => {
    for (const headers of [{ authorization: `Bearer ${admin}` }, { 'x-api-key': admin }] as Record<string, string>[]) {
      const ready = await remote(o, headers);
      expect(ready.status).toBe(200);
      expect(Object.keys(await json(ready))).toEqual(DETAILS);
      const down = await remote(behind, headers);
      expect(down.status).toBe(503);
      const body = await json(down);
      expect(body).toMatchObject({ status: 'unavailable', schema: { ok: false, pending: ['9000_next'] } });
      expect(body.problems[0]).toMatchObject({ check: 'schema', message: expect.stringMatching(/9000_next/) });
    }
  });

  it('from this host (a loopback socket, no X-Forwarded-For) the details need no key', async () => {
    const ready = await fetch(`http://127.0.0.1:${server.port}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(await json(ready))).toEqual(DETAILS);
    const down = await fetch(`http://127.0.0.1:${behindServer.port}/readyz`);
    expect(down.status).toBe(503);
    expect((await json(down)).problems[0].check).toBe('schema');
  });

  it('a loopback socket carrying X-Forwarded-For is a proxy forwarding someone else: only the status', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/readyz`, { headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: 'ready' });
    const rfc7239 = await fetch(`http://127.0.0.1:${server.port}/readyz`, { headers: { forwarded: 'for=198.51.100.7' } });
    expect(await json(rfc7239)).toEqual({ status: 'ready' });
    // The same with TRUST_PROXY: a forwarded address is not the socket's.
    const trusting = testOverdue({ database: t, env: { TRUST_PROXY: 'true' } });
    await trusting.start();
    try {
      const forwarded = await trusting.app.request('/readyz', { headers: { 'x-forwarded-for': '127.0.0.1' } }, fromPeer('127.0.0.1', { 'x-forwarded-for': '127.0.0.1' }));
      expect(await json(forwarded)).toEqual({ status: 'ready' });
      const direct = await trusting.app.request('/readyz', {}, fromPeer('::ffff:127.0.0.1'));
      expect(Object.keys(await json(direct))).toEqual(DETAILS);
      const outside = await trusting.app.request('/readyz', {}, fromPeer('10.1.2.3'));
      expect(await json(outside)).toEqual({ status: 'ready' });
    } finally {
      await trusting.stop();
    }
  });

  it('/healthz stays open to anyone', async () => {
    const res = await o.app.request('/healthz', {}, fromPeer('203.0.113.9'));
    expect([res.status, await json(res)]).toEqual([200, { status: 'ok' }]);
  });
});
