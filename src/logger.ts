import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Anything that could carry a secret is redacted by
 * path, so a careless `logger.info({ headers })` cannot leak a key.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'overdue' },
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
}
