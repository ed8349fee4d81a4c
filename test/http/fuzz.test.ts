import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { apiClient } from '../support/http.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { newTenant } from '../support/tenants.js';

/**
 * Generated hostile requests against every operation of the OpenAPI document
 * (and healthchecks' v3 routes): malformed JSON, wrong types, huge and negative
 * numbers, control characters, long strings, unicode edge cases, in bodies,
 * path parameters and queries. None may answer 5xx. fast-check prints the
 * seed and the shrunk request on a failure; FUZZ_SEED replays one.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 5000);

const EDGE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0007\u001b[31m',
  '\r\n',
  '\uFEFF',
  '\u202Eevil',
  '\uD800',
  '\uDFFF\uD800',
  '𝟘𝟙',
  'ǅ',
  '../../etc/passwd',
  '%00',
  '%',
  "'; drop table checks; --",
  '<script>alert(1)</script>',
  '[]',
  '{}',
  'null',
  'true',
  '-1',
  '0',
  '1e309',
  '9223372036854775808',
  '-9223372036854775809',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '2026-02-30T00:00:00Z',
  '2026-13-01',
  '* * 30 2 *',
  '@reboot',
  'Europe/Nowhere',
  'x'.repeat(10_000),
  '['.repeat(5_000),
];
const EDGE_NUMBERS = [0, -0, -1, 1, 0.5, -1.5, 2 ** 31, 2 ** 53, 2 ** 53 + 2, 2 ** 63, -(2 ** 63), 1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, Number.EPSILON];

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 300 }).chain((n) => fc.constantFrom('a', '\u0000', 'é', '😀').map((ch) => ch.repeat(n))) },
);
const hostileScalar = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom(...EDGE_NUMBERS) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false) },
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: hostileScalar },
  { weight: 1, arbitrary: fc.array(hostileScalar, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, hostileScalar, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

interface Operation {
  method: string;
  path: string;
  /** Field names of its JSON body, from the document. */
  fields: string[];
  query: string[];
}

/** A path template with each `{param}` replaced by a generated segment. */
const segment = (known: string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...known) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 3, arbitrary: hostileString },
  );

function encode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, '?')); // a lone surrogate cannot be encoded at all
  }
}

const RAW_BODIES = ['{', '{"a":', 'nul', '\u0000', '[1,2', '"', '{"a":1}}', '\uFEFF{}', `{"a":${'['.repeat(10_000)}`, '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', 'ÿþ{'];

describe(`fuzzing every documented route with hostile requests on ${backend}`, () => {
  const clock = new ManualClock('2026-05-04T09:00:00Z');
  let t: TestDatabase;
  let o: TestOverdue;
  let admin: string;
  let tenantKey: string;
  const known: string[] = [];
  const operations: Operation[] = [];
  const call = apiClient(() => o);

  beforeAll(async () => {
    t = await testDatabase();
    o = await drivenOverdue({ database: t, clock });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    const tenant = await newTenant(call, 'fuzzco', { key: admin });
    tenantKey = tenant.api_key;
    const account = await call('POST', '/api/v1/accounts', { name: 'Fuzz', email: 'fuzz@example.com' }, tenantKey);
    const component = await call('POST', '/api/v1/components', { name: 'API' }, admin);
    const incident = await call('POST', '/api/v1/incidents', { name: 'Down', status: 'investigating', body: 'Looking.' }, admin);
    const check = await o.app.request('/api/v3/checks/', { method: 'POST', headers: { 'x-api-key': tenantKey, 'content-type': 'application/json' }, body: '{"name":"nightly"}' });
    const checkId = ((await check.json()) as { ping_url: string }).ping_url.split('/').pop()!;
    known.push(tenant.id, account.body.id, component.body.id, incident.body.id, checkId, 'default');

    const doc = (await call('GET', '/api/v1/openapi.json', undefined, admin)).body;
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const schema = op.requestBody?.content?.['application/json']?.schema;
        const fields = Object.keys(schema?.properties ?? {});
        const query = ((op.parameters ?? []) as { in: string; name: string }[]).filter((p) => p.in === 'query').map((p) => p.name);
        operations.push({ method: method.toUpperCase(), path: `/api/v1${path}`, fields, query });
      }
    }
    // healthchecks' v3 surface, which the document does not describe.
    for (const [method, path] of [
      ['GET', '/api/v3/checks/'],
      ['POST', '/api/v3/checks/'],
      ['GET', '/api/v3/checks/{uuid}'],
      ['POST', '/api/v3/checks/{uuid}'],
      ['DELETE', '/api/v3/checks/{uuid}'],
      ['POST', '/api/v3/checks/{uuid}/pause'],
      ['POST', '/api/v3/checks/{uuid}/resume'],
      ['GET', '/api/v3/checks/{uuid}/pings/'],
      ['GET', '/api/v3/checks/{uuid}/flips/'],
      ['GET', '/api/v3/channels/'],
    ] as const) {
      operations.push({ method, path, fields: ['name', 'slug', 'tags', 'desc', 'timeout', 'grace', 'schedule', 'tz', 'channels', 'unique', 'manual_resume', 'methods', 'filter_subject', 'filter_body', 'start_kw', 'success_kw', 'failure_kw'], query: ['tag', 'slug', 'start', 'end'] });
    }
  }, 60_000);
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it(`${RUNS} generated requests across the documented routes: no 5xx`, async () => {
    expect(operations.length).toBeGreaterThan(40);
    const request = fc
      .constantFrom(...operations)
      .chain((op) =>
        fc.record({
          op: fc.constant(op),
          segments: fc.array(segment(known), { minLength: 4, maxLength: 4 }),
          query: fc.dictionary(fc.oneof(fc.constantFrom(...(op.query.length > 0 ? op.query : ['limit']), 'limit', 'cursor'), hostileString), hostileString, { maxKeys: 3 }),
          body: fc.oneof(
            { weight: 5, arbitrary: fc.dictionary(op.fields.length > 0 ? fc.oneof(fc.constantFrom(...op.fields), hostileString) : hostileString, hostileValue, { maxKeys: 6 }).map((b) => JSON.stringify(b)) },
            { weight: 1, arbitrary: hostileValue.map((v) => JSON.stringify(v) ?? 'null') },
            { weight: 1, arbitrary: fc.constantFrom(...RAW_BODIES) },
            { weight: 1, arbitrary: fc.constant(undefined) },
          ),
          key: fc.constantFrom<'admin' | 'tenant' | 'none' | 'bad'>('admin', 'admin', 'tenant', 'none', 'bad'),
          idempotencyKey: fc.option(hostileString.filter((s) => /^[\x20-\x7e]*$/.test(s)), { freq: 4 }),
          contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded'),
        }),
      );
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        let i = 0;
        const path = r.op.path.replace(/\{[^}]+\}/g, () => encode(r.segments[i++ % 4]!));
        const qs = new URLSearchParams(Object.entries(r.query).map(([k, v]) => [k.replace(/[\uD800-\uDFFF]/g, '?'), v.replace(/[\uD800-\uDFFF]/g, '?')])).toString();
        const headers: Record<string, string> = { 'content-type': r.contentType };
        if (r.key === 'admin') headers.authorization = `Bearer ${admin}`;
        if (r.key === 'tenant') headers['x-api-key'] = tenantKey;
        if (r.key === 'bad') headers.authorization = 'Bearer od_admin_not-a-key';
        if (r.idempotencyKey !== null) headers['idempotency-key'] = r.idempotencyKey;
        const hasBody = r.op.method !== 'GET' && r.body !== undefined;
        const res = await o.app.request(`${path}${qs ? `?${qs}` : ''}`, { method: r.op.method, headers, ...(hasBody && { body: r.body }) });
        const text = await res.text();
        expect(res.status, `${r.op.method} ${path}?${qs} ${hasBody ? String(r.body).slice(0, 300) : ''} → ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
      }),
      { numRuns: RUNS, ...(process.env.FUZZ_SEED && { seed: Number(process.env.FUZZ_SEED) }), verbose: 1 },
    );
    // Still up and answering.
    expect((await o.app.request('/healthz')).status).toBe(200);
  }, 600_000);
});
