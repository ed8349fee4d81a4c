import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { completeKey, findKey, forgetKey, tryClaimKey, tryTakeOverKey } from '../idempotency-store.js';
import type { AuthVariables } from './api-key.js';

const LEASE_MS = 60_000;

/**
 * `Idempotency-Key` on POST (billing-semantics.md §3). Runs after the API key
 * middleware: records are per principal scope (tenant, or admin). The same key
 * with the same request replays the stored status and body
 * (`Idempotent-Replayed: true`); with a different request it is 422; while the
 * first is still running, 409. A 5xx forgets the key, so a retry re-executes
 * (nothing committed, or the handler is idempotent by its natural keys). A
 * request without the header runs as usual.
 */
export type IdempotencyVariables = {
  /** Set by a handler whose answer holds a secret shown once: a replay answers this instead, and the secret is never stored. */
  idempotentReplay?: { status: number; body: string };
};

export function idempotency(deps: { db: Kysely<Database>; clock: Clock; logger: Logger }): MiddlewareHandler<{ Variables: AuthVariables & IdempotencyVariables }> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (key.length === 0 || key.length > 255) throw new AppError('bad_request', 'Idempotency-Key must be 1 to 255 characters');
    const principal = c.get('principal');
    const scope = principal.tenantId ?? 'admin';
    const body = await c.req.text(); // cached by hono: the handler can still read it
    const fingerprint = createHash('sha256').update(`${c.req.method}\n${c.req.path}\n${canonical(body)}`).digest('hex');
    const now = deps.clock.now();

    if (!(await tryClaimKey(deps.db, { scope, key, fingerprint, now, leaseMs: LEASE_MS }))) {
      const existing = await findKey(deps.db, scope, key);
      if (existing && existing.fingerprint !== fingerprint) {
        throw new AppError('unprocessable', 'this Idempotency-Key was used with a different request');
      }
      if (existing?.state === 'completed') {
        c.header('Idempotent-Replayed', 'true');
        if (existing.content_type) c.header('Content-Type', existing.content_type);
        return c.body(existing.response_body ?? '', existing.status_code as 200);
      }
      if (!existing || !(await tryTakeOverKey(deps.db, scope, key, now, LEASE_MS))) {
        throw new AppError('conflict', 'a request with this Idempotency-Key is still in progress; retry later');
      }
    }

    try {
      await next();
    } catch (err) {
      await forgetKey(deps.db, scope, key);
      throw err;
    }
    if (c.res.status >= 500) {
      await forgetKey(deps.db, scope, key);
      return;
    }
    const redacted = c.get('idempotentReplay');
    const stored = redacted ? redacted.body : await c.res.clone().text();
    await completeKey(deps.db, scope, key, { status: redacted?.status ?? c.res.status, body: stored, contentType: c.res.headers.get('content-type') });
    deps.logger.debug({ scope, status: c.res.status }, 'idempotency key completed');
  };
}

/** JSON bodies compare by content, not by spacing or key order. */
function canonical(body: string): string {
  if (body.trim() === '') return '';
  try {
    return JSON.stringify(sortKeys(JSON.parse(body)));
  } catch {
    return body;
  }
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}
