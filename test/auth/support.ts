import { expect } from 'vitest';
import type { TestOverdue } from '../support/app.js';
import { json } from '../support/http.js';

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** Calls the app in-process with a key (Bearer) and an optional Idempotency-Key. */
export function keyClient(o: () => TestOverdue) {
  return async (method: string, path: string, key: string | undefined, body?: unknown, idempotencyKey?: string): Promise<Answer> => {
    const res = await o().app.request(path, {
      method,
      headers: {
        ...(key && { authorization: `Bearer ${key}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(idempotencyKey && { 'Idempotency-Key': idempotencyKey }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
}

export type Call = ReturnType<typeof keyClient>;

/** A tenant made through the API, with the api_key and ping_key its creation answered once. */
export async function newTenant(call: Call, admin: string, slug: string): Promise<{ id: string; apiKey: string; pingKey: string }> {
  const res = await call('POST', '/api/v1/tenants', admin, { slug, name: slug, timezone: 'UTC', currency: 'USD' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id, apiKey: res.body.api_key, pingKey: res.body.ping_key };
}

/** Whether a key is accepted right now. */
export async function keyWorks(call: Call, key: string): Promise<boolean> {
  const res = await call('GET', '/api/v1/me', key);
  if (res.status !== 200 && res.status !== 401) throw new Error(`/me answered ${res.status}`);
  return res.status === 200;
}

export { json };
