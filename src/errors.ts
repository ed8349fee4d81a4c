/**
 * Typed errors raised inside the service. The HTTP edge maps them once
 * (src/http/errors.ts) to `{ "error": { "code", "message" } }`.
 */
export type ErrorCode =
  | 'bad_request'
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'idempotency_conflict'
  | 'unprocessable'
  | 'payload_too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'internal'
  // Billing outcomes a client can act on.
  | 'insufficient_balance'
  | 'invalid_state'
  | 'payment_in_progress'
  | 'payment_declined'
  | 'amount_mismatch';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  idempotency_conflict: 409,
  unprocessable: 422,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
  insufficient_balance: 409,
  invalid_state: 409,
  payment_in_progress: 409,
  payment_declined: 402,
  amount_mismatch: 409,
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = STATUS[code];
  }
}
