/**
 * Whether `err` means the database could not be reached or the connection was
 * lost (as opposed to a query that was wrong or a constraint that held). Such
 * an error changes nothing and is worth retrying: the HTTP edge answers it
 * 503 with Retry-After, the ping intake fails a batch at once instead of
 * retrying each ping.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, message, errors } = e as { code?: unknown; message?: unknown; errors?: unknown };
    if (typeof code === 'string') {
      if (NODE_CODES.has(code)) return true;
      // SQLSTATE class 08 (connection exception) and 57P0x (server shutting down, cannot connect now).
      if (/^08[0-9A-Z]{3}$/.test(code) || /^57P0[1-4]$/.test(code) || code === '53300') return true;
    }
    if (typeof message === 'string' && PG_MESSAGES.some((m) => message.includes(m))) return true;
    // Node's happy-eyeballs connect reports an AggregateError of one error per address.
    if (Array.isArray(errors) && errors.length > 0 && errors.every((x) => isDatabaseUnavailable(x))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

// What pg says when a client's connection is gone or cannot be had in time.
const PG_MESSAGES = [
  'Connection terminated',
  'is not queryable',
  'timeout exceeded when trying to connect',
  'Client was closed',
  'Cannot use a pool after calling end on the pool',
];
