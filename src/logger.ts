import { pino, type Logger, type DestinationStream } from 'pino';
import { LogRateLimiter } from './log-rate-limit.js';

export type { Logger };

export interface LoggerOptions {
  /** Repeats of one kind of error within this interval become one counted line (0 = every line). */
  errorRateLimitMs?: number;
}

const SUMMARY = Symbol('rate-limit summary');

/**
 * Structured JSON logs. Anything that could carry a secret is redacted by
 * path, so a careless `logger.info({ headers })` cannot leak a key. Entries
 * that carry an `err` are rate-limited per kind (see log-rate-limit.ts).
 */
export function createLogger(level: string, destination?: DestinationStream, opts: LoggerOptions = {}): Logger {
  let logger: Logger | undefined;
  const limiter = new LogRateLimiter(opts.errorRateLimitMs ?? 10_000, (lvl, obj, msg) => {
    const name = logger?.levels.labels[lvl] as pino.Level | undefined;
    if (logger && name) logger[name]({ ...obj, [SUMMARY]: true }, msg);
  });
  logger = pino(
    {
      level,
      base: { service: 'overdue' },
      hooks: {
        logMethod(args, method, lvl) {
          const [obj, msg] = args as unknown[];
          if (obj && typeof obj === 'object' && !(SUMMARY in obj) && typeof msg === 'string') {
            if (!limiter.admit(lvl, obj as Record<string, unknown>, msg)) return;
          }
          method.apply(this, args as Parameters<typeof method>);
        },
      },
      redact: {
        paths: [
          'apiKey',
          'api_key',
          'password',
          'secret',
          'token',
          '*.apiKey',
          '*.api_key',
          '*.password',
          '*.secret',
          '*.token',
          'headers.authorization',
          'headers["x-api-key"]',
          '*.headers.authorization',
          '*.headers["x-api-key"]',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
  return logger;
}
