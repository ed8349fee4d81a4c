import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { IdempotencyVariables } from '../http/middleware/idempotency.js';

/** What a replayed answer shows in place of a secret. */
export const SHOWN_ONCE = '<shown once>';

/**
 * Answers `body`, which carries secrets (plain keys) that are shown once and
 * stored nowhere. A replay of the same Idempotency-Key answers the same status
 * and body with each secret field replaced by `SHOWN_ONCE` and a `note` saying
 * so: the idempotency record never holds a secret.
 */
export function respondWithSecrets<E extends { Variables: IdempotencyVariables }>(
  c: Context<E>,
  status: ContentfulStatusCode,
  body: Record<string, unknown>,
  secrets: readonly string[],
): Response {
  const replay = { ...body, ...Object.fromEntries(secrets.map((f) => [f, SHOWN_ONCE])), note: `${secrets.join(' and ')} ${secrets.length > 1 ? 'were' : 'was'} shown once, in the first answer to this request, and ${secrets.length > 1 ? 'are' : 'is'} not stored` };
  c.set('idempotentReplay', { status, body: JSON.stringify(replay) });
  return c.json(body, status);
}
