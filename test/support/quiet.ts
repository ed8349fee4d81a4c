import { trace } from '@opentelemetry/api';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logger.js';

export function silentDeps() {
  return { tracer: trace.getTracer('test'), logger: createLogger('silent') };
}

/** A real logger whose JSON lines are kept for assertions. */
export function capturingLogger(level = 'debug'): { logger: Logger; lines: Record<string, any>[] } {
  const lines: Record<string, any>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger(level, sink), lines };
}
