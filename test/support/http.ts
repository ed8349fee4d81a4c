import { expect } from 'vitest';

/** What a test reads off a response: status, parsed JSON (null when empty or not JSON), raw text, headers. */
export interface Reply {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

/**
 * One call through the app in-process, the one client every test uses for
 * `/api/v1`, `/api/v3` and public routes.
 * `key`: undefined → the client's default key (if it has one); null → no key.
 * A string body is sent as is; any other body as JSON.
 */
export type Api = (method: string, path: string, body?: unknown, key?: string | null, headers?: Record<string, string>) => Promise<Reply>;

interface Requestable {
  request(path: string, init: RequestInit): Response | Promise<Response>;
}

/**
 * A client for an app (or an instance with `.app`, or a function returning one
 * for fixtures built in beforeAll). The key goes in `Authorization: Bearer`.
 */
export function apiClient(target: { app: Requestable } | (() => { app: Requestable }), defaultKey?: () => string | undefined): Api {
  const app = () => (typeof target === 'function' ? target() : target).app;
  return async (method, path, body, key, extra = {}) => {
    const k = key === undefined ? defaultKey?.() : key;
    const headers: Record<string, string> = { 'content-type': 'application/json', ...extra };
    if (k != null) headers.authorization = `Bearer ${k}`;
    const res = await app().request(path, { method, headers, ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
    return reply(res);
  };
}

/** Reads a response once into a Reply. */
export async function reply(res: Response): Promise<Reply> {
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

/** Headers carrying an Idempotency-Key. */
export const idempotent = (key: string): Record<string, string> => ({ 'Idempotency-Key': key });

/** POSTs and expects 201; returns the body. */
export async function created(api: Api, path: string, body: unknown, key?: string | null): Promise<any> {
  const res = await api('POST', path, body, key);
  expect(res.status, `POST ${path} ${JSON.stringify(body)} → ${res.text}`).toBe(201);
  return res.body;
}

/** The body of a reply with the expected status (any 2xx when not given); fails the test with the body otherwise. */
export async function ok<T = any>(res: Promise<Reply> | Reply, status?: number): Promise<T> {
  const r = await res;
  if (status !== undefined ? r.status !== status : r.status < 200 || r.status >= 300) {
    throw new Error(`expected ${status ?? '2xx'}, got ${r.status}: ${r.text}`);
  }
  return r.body as T;
}

/** The JSON body of a raw Response, typed loosely for assertions. */
export async function json(res: Response): Promise<any> {
  return res.json();
}
