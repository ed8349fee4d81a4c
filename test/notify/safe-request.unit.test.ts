import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { getDefaultAutoSelectFamily, setDefaultAutoSelectFamily, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { safeRequest } from '../../src/notify/safe-request.js';
import { sendWebhook, WebhookError } from '../../src/notify/senders.js';
import { parseAllowList } from '../../src/notify/targets.js';

// 'rebind.test' resolves (through the guard's single lookup) to 127.0.0.1; the
// system resolver knows no such name, so a request that reached the server
// cannot have looked the name up again: the connection was pinned.
const lookups = vi.hoisted(() => [] as string[]);
vi.mock('node:dns/promises', async (original) => {
  const real = await original<typeof import('node:dns/promises')>();
  const lookup = (host: string, options: object) => {
    lookups.push(host);
    return host === 'rebind.test' ? Promise.resolve([{ address: '127.0.0.1', family: 4 }]) : real.lookup(host, options as never);
  };
  return { ...real, default: { ...real, lookup }, lookup };
});

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server on 127.0.0.1: records connections and requests; answers by path. */
describe('safeRequest against a real server on loopback', () => {
  const seen: Seen[] = [];
  let connections = 0;
  let server: Server;
  let port = 0;
  const loopback = parseAllowList('127.0.0.1');
  const url = (path: string, host = '127.0.0.1') => `http://${host}:${port}${path}`;

  const answer = (path: string, res: ServerResponse) => {
    switch (path) {
      case '/moved':
        return res.writeHead(302, { location: '/elsewhere' }).end('moved');
      case '/slow':
        return setTimeout(() => res.writeHead(200).end('late'), 2000).unref();
      case '/slow-body':
        res.writeHead(200).write('start');
        return setTimeout(() => res.end('late'), 2000).unref();
      case '/large':
        res.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 16; i++) res.write('x'.repeat(64 * 1024)); // 1 MiB
        return res.end();
      default:
        return res.writeHead(201, { 'content-type': 'text/plain', 'x-answer': 'yes', 'set-cookie': ['a=1', 'b=2'] }).end('created');
    }
  };

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        answer(req.url ?? '/', res);
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    seen.length = 0;
    connections = 0;
    lookups.length = 0;
  });

  it('sends method, headers and body; returns status, headers and body (POST by default)', async () => {
    const res = await safeRequest(loopback)({ url: url('/hook?x=1'), headers: { 'content-type': 'application/json', 'x-custom': 'v' }, body: '{"a":"é"}', timeoutMs: 5000 });
    expect(res).toMatchObject({ status: 201, body: 'created' });
    expect(res.headers['x-answer']).toBe('yes');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/hook?x=1', body: '{"a":"é"}' });
    expect(seen[0]!.headers).toMatchObject({ 'content-type': 'application/json', 'x-custom': 'v', 'content-length': String(Buffer.byteLength('{"a":"é"}')), host: `127.0.0.1:${port}` });

    await safeRequest(loopback)({ url: url('/put'), method: 'PUT', headers: {}, body: 'b', timeoutMs: 5000 });
    expect(seen[1]).toMatchObject({ method: 'PUT', path: '/put', body: 'b' });
  });

  it('resolves the name once and connects to the checked address; Host still carries the name', async () => {
    const res = await safeRequest(loopback)({ url: url('/pinned', 'rebind.test'), headers: {}, body: '', timeoutMs: 5000 });
    expect(res.status).toBe(201);
    expect(lookups).toEqual(['rebind.test']);
    expect(seen[0]!.headers.host).toBe(`rebind.test:${port}`);

    // Without family autoselection Node asks the lookup for one address (the other callback shape).
    const autoSelect = getDefaultAutoSelectFamily();
    setDefaultAutoSelectFamily(false);
    try {
      expect((await safeRequest(loopback)({ url: url('/single', 'rebind.test'), headers: {}, body: '', timeoutMs: 5000 })).status).toBe(201);
    } finally {
      setDefaultAutoSelectFamily(autoSelect);
    }
    expect(seen.map((s) => s.path)).toEqual(['/pinned', '/single']);
  });

  it('without the allow list, refuses loopback before connecting', async () => {
    await expect(safeRequest(parseAllowList(undefined))({ url: url('/hook'), headers: {}, body: 'x', timeoutMs: 5000 })).rejects.toThrow('127.0.0.1 resolves to a non-public address (127.0.0.1)');
    await expect(safeRequest(parseAllowList(undefined))({ url: url('/hook', 'rebind.test'), headers: {}, body: 'x', timeoutMs: 5000 })).rejects.toThrow('rebind.test resolves to a non-public address (127.0.0.1)');
    expect(connections).toBe(0);
    expect(seen).toHaveLength(0);
  });

  it('refuses a name that resolves to a blocked address (localhost)', async () => {
    await expect(safeRequest(parseAllowList(undefined))({ url: url('/hook', 'localhost'), headers: {}, body: 'x', timeoutMs: 5000 })).rejects.toThrow(/^localhost resolves to a non-public address \((127\.0\.0\.1|::1)\)$/);
    expect(connections).toBe(0);
  });

  it('refuses non-http(s) URLs and credentials', async () => {
    await expect(safeRequest(loopback)({ url: `ftp://127.0.0.1:${port}/`, headers: {}, body: '', timeoutMs: 5000 })).rejects.toThrow('url must be http or https');
    await expect(safeRequest(loopback)({ url: `http://u:p@127.0.0.1:${port}/`, headers: {}, body: '', timeoutMs: 5000 })).rejects.toThrow('url must not carry credentials');
    expect(connections).toBe(0);
  });

  it('times out a slow answer, and a slow body, after timeoutMs', async () => {
    const started = Date.now();
    await expect(safeRequest(loopback)({ url: url('/slow'), headers: {}, body: '', timeoutMs: 200 })).rejects.toThrow('timed out after 200 ms');
    await expect(safeRequest(loopback)({ url: url('/slow-body'), headers: {}, body: '', timeoutMs: 200 })).rejects.toThrow('timed out after 200 ms');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('returns a redirect instead of following it', async () => {
    const res = await safeRequest(loopback)({ url: url('/moved'), headers: {}, body: '', timeoutMs: 5000 });
    expect(res).toMatchObject({ status: 302, body: 'moved' });
    expect(res.headers.location).toBe('/elsewhere');
    expect(seen.map((s) => s.path)).toEqual(['/moved']);
  });

  it('keeps at most 64 KiB of the body', async () => {
    const res = await safeRequest(loopback)({ url: url('/large'), headers: {}, body: '', timeoutMs: 5000 });
    expect(res.status).toBe(200);
    expect(res.body).toBe('x'.repeat(64 * 1024));
  });

  it('sendWebhook goes through it: the allow list decides, and status and Retry-After are kept', async () => {
    const hook = { kind: 'webhook' as const, url: url('/hook'), type: 'incident.created', body: { id: 1 } };
    await sendWebhook('d-1', hook, 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0', new Date(), 5000, loopback);
    expect(seen[0]!.headers).toMatchObject({ 'webhook-id': 'd-1', 'user-agent': 'Overdue-Webhooks/1', 'content-type': 'application/json' });
    expect(JSON.parse(seen[0]!.body)).toMatchObject({ type: 'incident.created', data: { id: 1 } });

    const refused = await sendWebhook('d-2', hook, 'whsec_c2VjcmV0', new Date(), 5000).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WebhookError);
    expect(refused).toMatchObject({ message: 'request failed: 127.0.0.1 resolves to a non-public address (127.0.0.1)', status: null });

    const moved = await sendWebhook('d-3', { ...hook, url: url('/moved') }, 'whsec_c2VjcmV0', new Date(), 5000, loopback).catch((e: unknown) => e);
    expect(moved).toMatchObject({ message: 'answered 302', status: 302, retryAfterMs: null });
    expect(seen).toHaveLength(2);
  });
});
