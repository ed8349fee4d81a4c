import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCheck } from '../../src/heartbeats/checks-store.js';
import { listen } from '../../src/http/server.js';
import { testOverdue, type TestOverdue } from '../support/app.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';

const UNKNOWN = '11111111-2222-4333-8444-555555555555';

/** A raw HTTP/1.1 client: what a hostile sender does, byte by byte. */
class RawClient {
  readonly socket: Socket;
  response = '';
  closed = false;
  sent = 0;
  readonly #closedAt: Promise<void>;
  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (d) => (this.response += d.toString('latin1')));
    this.socket.on('error', () => undefined); // a write after the server closed
    this.#closedAt = new Promise((resolve) => this.socket.on('close', () => ((this.closed = true), resolve())));
  }
  write(data: string | Buffer): boolean {
    if (this.socket.destroyed || this.socket.writableEnded) return false;
    this.sent += data.length;
    return this.socket.write(data);
  }
  get status(): number | undefined {
    const m = /^HTTP\/1\.1 (\d{3})/.exec(this.response);
    return m ? Number(m[1]) : undefined;
  }
  async until(test: () => boolean, ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (!test() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    return test();
  }
  closedWithin(ms: number): Promise<boolean> {
    return Promise.race([this.#closedAt.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
  }
}

/** Issue 17: ping bodies were read to the end however long, however slow, and for unknown checks too. */
describe(`ping bodies are hostile input, over a real socket, on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let server: Awaited<ReturnType<typeof listen>>;
  let id: string;
  beforeAll(async () => {
    t = await testDatabase();
    o = testOverdue({ database: t, env: { PING_BODY_LIMIT: '16' }, tuning: { pingBodyTimeoutMs: 400 } });
    const pingKey = (await o.start()).platformPingKey!;
    id = await insertCheck(t.db, { tenantId: null, pingKey, name: 'backup', slug: 'backup', timeoutS: 60, graceS: 30 }, o.clock.now());
    server = await listen(o.app, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await server?.close(1000);
    await o?.stop();
    await t?.close();
  });
  const pings = () => t.db.selectFrom('pings').selectAll().where('check_id', '=', id).orderBy('n').execute();
  const head = (path: string, length: number) => `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n`;

  it('a body that keeps coming: the first bytes are kept, the answer comes mid-body and the connection is closed', async () => {
    const before = (await pings()).length;
    const c = new RawClient(server.port);
    c.write(head(`/ping/${id}`, 500 * 1024 * 1024));
    c.write('first sixteen by|and the rest');
    const chunk = Buffer.alloc(64 * 1024, 'z');
    // Keep sending until the server answers and closes, or 200 MB went out.
    while (!c.closed && c.sent < 200 * 1024 * 1024) {
      if (!c.write(chunk)) await new Promise((r) => c.socket.once('drain', r).once('close', r));
    }
    expect(await c.closedWithin(5000)).toBe(true);
    expect(c.status).toBe(200);
    expect(c.response).toMatch(/\r\nconnection: close\r\n/i);
    expect(c.sent).toBeLessThan(100 * 1024 * 1024); // cut long before the 500 MB it announced
    const stored = await pings();
    expect(stored.length).toBe(before + 1);
    expect(Buffer.from(stored.at(-1)!.body!).toString()).toBe('first sixteen by');
  });

  it('a body sent too slowly is answered 408 after the timeout, stores nothing, and the connection is closed', async () => {
    const before = (await pings()).length;
    const c = new RawClient(server.port);
    c.write(head(`/ping/${id}`, 100));
    c.write('ten bytes.');
    const started = Date.now();
    expect(await c.until(() => c.status !== undefined, 3000)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(c.status).toBe(408);
    expect(await c.closedWithin(3000)).toBe(true);
    expect((await pings()).length).toBe(before);
  });

  it('an unknown UUID is answered 404 before its body is sent', async () => {
    const c = new RawClient(server.port);
    c.write(head(`/ping/${UNKNOWN}`, 10 * 1024 * 1024));
    expect(await c.until(() => c.status !== undefined, 2000)).toBe(true);
    expect(c.status).toBe(404);
    expect(c.response).toMatch(/not found$/);
    expect(await c.closedWithin(3000)).toBe(true);
  });

  it('an ordinary body a little over the limit keeps the connection open for the next request', async () => {
    const c = new RawClient(server.port);
    const body = 'x'.repeat(1000);
    c.write(head(`/ping/${id}`, body.length) + body);
    expect(await c.until(() => /\r\n\r\nOK$/.test(c.response), 2000)).toBe(true);
    expect(c.response).not.toMatch(/connection: close/i);
    c.write(`GET /ping/${id}/log HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(await c.until(() => (c.response.match(/HTTP\/1\.1 200/g) ?? []).length === 2, 2000)).toBe(true);
    c.socket.destroy();
  });
});
