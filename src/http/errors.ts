import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { AppError, type ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { redactPath } from '../redact.js';

export function errorBody(code: ErrorCode | string, message: string) {
  return { error: { code, message } };
}

export function jsonError(c: Context, status: ContentfulStatusCode, code: ErrorCode | string, message: string) {
  return c.json(errorBody(code, message), status);
}

/** What a client is told to wait before retrying a request the database could not serve. */
export const RETRY_AFTER_S = 5;

/** The single place where thrown errors become HTTP responses. */
export function handleError(logger: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof AppError) {
      return jsonError(c, err.status as ContentfulStatusCode, err.code, err.message);
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      const code: ErrorCode = status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : status < 500 ? 'bad_request' : 'internal';
      return jsonError(c, status, code, err.message || 'request failed');
    }
    if (isDatabaseUnavailable(err)) {
      // Nothing was changed (the database was not reached, or the transaction was lost): retry later.
      logger.error({ err, method: c.req.method, route: c.req.routePath }, 'database unavailable; answered 503');
      c.header('Retry-After', String(RETRY_AFTER_S));
      return jsonError(c, 503, 'unavailable', `the service cannot reach its database; retry in ${RETRY_AFTER_S} s`);
    }
    logger.error({ err, requestId: c.get('requestId'), method: c.req.method, path: redactPath(c.req.path) }, 'unhandled error in request');
    return jsonError(c, 500, 'internal', `internal error (request id ${c.get('requestId') ?? 'unknown'})`);
  };
}
