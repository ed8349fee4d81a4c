import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../errors.js';
import { errorBody } from './errors.js';

/**
 * The one place JSON request bodies are read and their strings checked.
 *
 * Every string a client sends, keys included, is refused when it holds a NUL
 * or another control character other than tab, line feed and carriage return:
 * Postgres cannot store NUL in text at all (it answered 500), and the others
 * break feeds, mail headers and logs. Field validators add their own limits
 * (length, one line) on top.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** A printable field path for an error message (the path itself came from the client). */
const shown = (path: string) => (path.length > 80 ? `${path.slice(0, 80)}…` : path).replace(new RegExp(CONTROL.source, 'g'), '?');

/** The deepest nesting a body may have: bodies are flat objects with a few lists. */
export const MAX_JSON_DEPTH = 32;

/**
 * The path of the first string in `value` that holds a control character (or
 * of the value nested too deep), as `name`, `tags[2]`, `config.url`; else
 * undefined. Walks iteratively, so a deeply nested body cannot overflow the stack.
 */
export function hostileJsonString(value: unknown): { path: string; reason: string } | undefined {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (CONTROL.test(v)) return { path: shown(path || 'body'), reason: 'must not contain control characters' };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return { path: shown(path || 'body'), reason: `nests deeper than ${MAX_JSON_DEPTH} levels` };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: `${path}[${i}]`, depth: depth + 1 });
      continue;
    }
    for (const [k, child] of Object.entries(v)) {
      const at = path ? `${path}.${k}` : k;
      if (CONTROL.test(k)) return { path: shown(at), reason: 'is a key with control characters' };
      stack.push({ v: child, path: at, depth: depth + 1 });
    }
  }
  return undefined;
}

/** Throws a 400 when a parsed body holds a hostile string. */
export function assertCleanJson(value: unknown): void {
  const bad = hostileJsonString(value);
  if (bad) throw new AppError('validation_failed', `${bad.path} ${bad.reason}`);
}

// A control character in a URL arrives percent-encoded (%00–%1F, %7F) or, from a lax client, raw.
const CONTROL_IN_URL = /%(?:[01][0-9a-f]|7f)|[\u0000-\u001f\u007f]/i;

/**
 * Refuses API requests whose path or query holds a control character, in the
 * shape of the surface asked (healthchecks' `{"error": "…"}` under /api/v3):
 * path parameters and filters reach SQL, and Postgres refuses NUL in text.
 */
export const refuseControlCharactersInUrl: MiddlewareHandler = async (c, next) => {
  const url = c.req.url;
  const target = url.slice(url.indexOf('/', url.indexOf('//') + 2));
  if (!CONTROL_IN_URL.test(target)) return next();
  const message = 'the path and query must not contain control characters';
  return c.req.path.startsWith('/api/v3/') ? c.json({ error: message }, 400) : c.json(errorBody('bad_request', message), 400);
};

/** The request's body as a JSON object: 400 when it is not JSON, not an object, or holds a hostile string. */
export async function readJsonObject(c: Context, what = 'body must be a JSON object'): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new AppError('bad_request', what);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError('validation_failed', what);
  assertCleanJson(body);
  return body as Record<string, unknown>;
}
