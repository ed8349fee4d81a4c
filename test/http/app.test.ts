import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/keys.js';
import { testOverdue, testTelemetry, type TestOverdue } from '../support/app.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { json } from '../support/http.js';

describe(`HTTP basics on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let adminKey: string;
  beforeAll(async () => {
    const telemetry = testTelemetry();
    t = await testDatabase({ tracer: telemetry.telemetry.tracer });
    o = testOverdue({ database: t, telemetry });
    adminKey = (await o.start()).generatedAdminKey!;
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('/healthz answers 200 without touching anything', async () => {
    const res = await o.app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: 'ok' });
  });

  it('unknown routes are 404 in the JSON error shape', async () => {
    const res = await o.app.request('/api/v1/nothing-here', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await json(res)).toEqual({ error: { code: 'not_found', message: 'no route for POST /api/v1/nothing-here' } });
  });

  it('bodies over 1 MiB are refused with 413 in the JSON error shape', async () => {
    const body = 'x'.repeat(1024 * 1024 + 1);
    const res = await o.app.request('/api/v1/me', { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(413);
    expect(await json(res)).toEqual({ error: { code: 'payload_too_large', message: 'request body exceeds 1048576 bytes' } });
    // Feature routers too (v3 here); only /ping truncates instead.
    const v3 = await o.app.request('/api/v3/checks/', { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-api-key': adminKey } });
    expect(v3.status).toBe(413);
  });

  it('every response carries a request id, echoing a sane incoming one', async () => {
    const a = await o.app.request('/healthz');
    expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const b = await o.app.request('/nope', { headers: { 'X-Request-Id': 'trace-me-123' } });
    expect(b.headers.get('x-request-id')).toBe('trace-me-123');
  });

  it('/api/v1 needs a valid key, by Bearer or X-Api-Key', async () => {
    const none = await o.app.request('/api/v1/me');
    expect(none.status).toBe(401);
    expect((await json(none)).error.code).toBe('unauthorized');
    const wrong = await o.app.request('/api/v1/me', { headers: { authorization: 'Bearer od_admin_wrong' } });
    expect(wrong.status).toBe(401);
    expect(await json(wrong)).toEqual({ error: { code: 'unauthorized', message: 'the API key is not valid' } });

    const variants: Record<string, string>[] = [{ authorization: `Bearer ${adminKey}` }, { 'x-api-key': adminKey }];
    for (const headers of variants) {
      const res = await o.app.request('/api/v1/me', { headers });
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ kind: 'admin', tenant_id: null, read_only: false });
    }
  });

  it('the generated admin key is stored only as a hash and shown only on the first start', async () => {
    expect(adminKey).toMatch(/^od_admin_[A-Za-z0-9_-]{32}$/);
    const rows = await t.db.selectFrom('api_keys').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key_hash).toBe(hashApiKey(adminKey));
    expect(JSON.stringify(rows)).not.toContain(adminKey);
    const again = testOverdue({ database: t });
    expect((await again.start()).generatedAdminKey).toBeUndefined();
    await again.stop();
  });

  it('OVERDUE_ADMIN_KEY registers that key instead', async () => {
    const key = 'my-operator-chosen-admin-key-0123456789';
    const other = testOverdue({ database: t, env: { OVERDUE_ADMIN_KEY: key } });
    expect((await other.start()).generatedAdminKey).toBeUndefined();
    const res = await other.app.request('/api/v1/me', { headers: { 'x-api-key': key } });
    expect(res.status).toBe(200);
    await other.stop();
  });

  it('serves the OpenAPI document of /api/v1', async () => {
    const res = await o.app.request('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = await json(res);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/me', '/jobs', '/jobs/{key}/runs', '/jobs/{key}/run', '/jobs/{key}/pause', '/jobs/{key}/resume', '/tenants', '/tenants/{id}', '/accounts', '/accounts/{id}', '/accounts/{id}/ledger', '/accounts/{id}/top-ups']));
  });

  it('a request produces a server span named by its route, with database spans inside it', async () => {
    o.spans.reset();
    const res = await o.app.request('/readyz');
    expect(res.status).toBe(200);
    await o.telemetry.flush();
    const spans = o.spans.getFinishedSpans();
    const server = spans.find((s) => s.name === 'GET /readyz');
    expect(server).toBeDefined();
    expect(server!.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/readyz',
      'http.response.status_code': 200,
      'url.path': '/readyz',
    });
    // Background loops make spans of their own; the request's are those in its trace.
    const db = spans.filter((s) => s.name === 'db SELECT' && s.spanContext().traceId === server!.spanContext().traceId);
    expect(db.map((s) => s.attributes['db.query.text'])).toEqual(['select 1']);
    expect(db[0]!.parentSpanContext?.spanId).toBe(server!.spanContext().spanId);
  });

  it('a route with parameters is named by its pattern, not the raw path', async () => {
    o.spans.reset();
    await o.app.request('/api/v1/does/not/exist');
    await o.telemetry.flush();
    const server = o.spans.getFinishedSpans().find((s) => s.attributes['url.path'] === '/api/v1/does/not/exist');
    expect(server?.name).toBe('GET');
    expect(server?.attributes['http.response.status_code']).toBe(404);
    expect(server?.attributes['http.route']).toBeUndefined();
  });
});
