import { describe, expect, it } from 'vitest';
import { offlineOverdue } from '../../scripts/offline-app.js';

// The OpenAPI document is generated from the routes (http/openapi.ts operation()); this holds the
// two sides together: every /api/v1 route the app serves is documented with the same method, and
// every documented operation is served. The document itself is the one /api/v1 route outside it.
const NOT_OPERATIONS = new Set(['GET /openapi.json']);
/** Operations anyone may call (no API key). */
const PUBLIC = new Set(['subscribeByEmail']);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

describe('the OpenAPI document and the router', () => {
  const { app } = offlineOverdue();
  const documentOf = async () => (await app.request('/api/v1/openapi.json')).json() as Promise<any>;

  it('every /api/v1 route is documented with its method, and every documented operation is routed', async () => {
    const doc = await documentOf();
    const routed = new Set(
      app.routes
        .filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/v1/'))
        .map((r) => `${r.method} ${r.path.slice('/api/v1'.length).replace(/:([^/]+)/g, '{$1}')}`)
        .filter((op) => !NOT_OPERATIONS.has(op)),
    );
    const documented = new Set(
      Object.entries<Record<string, unknown>>(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`)),
    );
    expect([...routed].filter((op) => !documented.has(op)), 'routed but not documented').toEqual([]);
    expect([...documented].filter((op) => !routed.has(op)), 'documented but not routed').toEqual([]);
    expect(documented.size).toBeGreaterThan(60);
  });

  it('every operation has a unique operationId, a summary, security, a 2xx and its 4xx answers in the error shape', async () => {
    const doc = await documentOf();
    expect(doc.servers).toEqual([{ url: '/api/v1' }]);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'bearer']);
    const ids: string[] = [];
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const where = `${method.toUpperCase()} ${path}`;
        ids.push(op.operationId);
        expect(op.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
        expect(op.summary, where).toBeTruthy();
        const statuses = Object.keys(op.responses);
        expect(statuses.some((s) => /^2\d\d$/.test(s)), where).toBe(true);
        const errors = statuses.filter((s) => /^4\d\d$/.test(s));
        expect(errors.length, where).toBeGreaterThan(0);
        for (const s of errors) expect(op.responses[s].content['application/json'].schema, `${where} ${s}`).toEqual({ $ref: '#/components/schemas/Error' });
        if (PUBLIC.has(op.operationId)) expect(op.security, where).toEqual([]);
        else {
          expect(op.security, where).toEqual([{ bearer: [] }, { apiKey: [] }]);
          expect(statuses, where).toContain('401');
        }
        if (['post', 'put', 'patch'].includes(method) && op.requestBody) expect(op.requestBody.content['application/json'].schema, where).toBeDefined();
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('JSON bodies are in snake_case, in requests and answers', async () => {
    const doc = await documentOf();
    const bad: string[] = [];
    const walk = (schema: any, at: string): void => {
      if (!schema || typeof schema !== 'object') return;
      for (const [key, child] of Object.entries<any>(schema.properties ?? {})) {
        if (!/^[a-z][a-z0-9_]*$/.test(key)) bad.push(`${at}.${key}`);
        walk(child, `${at}.${key}`);
      }
      for (const k of ['items', 'additionalProperties']) walk(schema[k], `${at}[]`);
      for (const k of ['oneOf', 'anyOf', 'allOf']) for (const s of schema[k] ?? []) walk(s, at);
    };
    for (const [name, schema] of Object.entries(doc.components.schemas)) walk(schema, name);
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        walk(op.requestBody?.content?.['application/json']?.schema, `${method} ${path} body`);
        for (const [s, r] of Object.entries<any>(op.responses)) walk(r.content?.['application/json']?.schema, `${method} ${path} ${s}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the compatibility surfaces stay out of the document', async () => {
    const doc = await documentOf();
    const paths = Object.keys(doc.paths);
    expect(paths.filter((p) => p.startsWith('/api/') || p.startsWith('/ping/') || p.endsWith('.json'))).toEqual([]);
  });
});
