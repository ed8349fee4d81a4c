import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';

/**
 * A ping's body, read with a byte limit and a deadline. Anyone may send a
 * ping, so its body is hostile input: it is kept up to the limit (as
 * healthchecks does), a little more is read and dropped so an ordinary
 * client's connection stays usable, and past that reading stops and the
 * connection is closed after the answer. A client that sends its body too
 * slowly is answered 408 and stored nothing.
 */
export type PingBody =
  | { kind: 'read'; bytes: Uint8Array | null; /** reading stopped early: close the connection */ cut: boolean }
  | { kind: 'incomplete'; reason: 'timeout' | 'aborted' };

/** Bytes past the limit read and dropped before reading stops. */
export const DISCARD_ALLOWANCE = 64 * 1024;

export interface PingBodyLimits {
  /** Bytes kept; 0 keeps everything. */
  limit: number;
  /** The whole body must have arrived within this many milliseconds. */
  timeoutMs: number;
}

export function readPingBody(c: Context, limits: PingBodyLimits): Promise<PingBody> {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  return incoming ? readIncoming(incoming, limits) : readStream(c.req.raw.body, limits);
}

/** Collects the first `limit` bytes; says when to stop. */
class Keeper {
  readonly #chunks: Uint8Array[] = [];
  #kept = 0;
  #dropped = 0;
  constructor(private readonly limit: number) {}

  /** Takes a chunk; true once so much was dropped that reading should stop. */
  take(chunk: Uint8Array): boolean {
    const room = this.limit > 0 ? this.limit - this.#kept : chunk.length;
    if (room > 0) {
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      this.#chunks.push(part);
      this.#kept += part.length;
    }
    this.#dropped += Math.max(0, chunk.length - Math.max(0, room));
    return this.#dropped > DISCARD_ALLOWANCE;
  }

  bytes(): Uint8Array | null {
    if (this.#kept === 0) return null;
    const out = new Uint8Array(this.#kept);
    let at = 0;
    for (const ch of this.#chunks) {
      out.set(ch, at);
      at += ch.length;
    }
    return out;
  }
}

/** Served by node: read the request itself, so an unread rest is never buffered by a web stream. */
function readIncoming(incoming: HttpBindings['incoming'], limits: PingBodyLimits): Promise<PingBody> {
  if (incoming.readableEnded) return Promise.resolve({ kind: 'read', bytes: null, cut: false });
  const keeper = new Keeper(limits.limit);
  return new Promise((resolve) => {
    const finish = (result: PingBody) => {
      clearTimeout(timer);
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onEnd);
      incoming.off('close', onEnd);
      // The rest stays unread: the server drains a little of it after the answer, then closes.
      incoming.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      if (keeper.take(chunk)) finish({ kind: 'read', bytes: keeper.bytes(), cut: true });
    };
    const onEnd = () => finish(incoming.readableEnded ? { kind: 'read', bytes: keeper.bytes(), cut: false } : { kind: 'incomplete', reason: 'aborted' });
    const timer = setTimeout(() => finish({ kind: 'incomplete', reason: 'timeout' }), limits.timeoutMs);
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onEnd);
    incoming.on('close', onEnd);
    incoming.resume();
  });
}

/** In-process requests (tests, other runtimes): the same rules over the web stream. */
async function readStream(body: ReadableStream<Uint8Array> | null, limits: PingBodyLimits): Promise<PingBody> {
  if (!body) return { kind: 'read', bytes: null, cut: false };
  const keeper = new Keeper(limits.limit);
  const reader = body.getReader();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), limits.timeoutMs);
  });
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), deadline]);
      if (next === 'timeout') {
        void reader.cancel().catch(() => undefined);
        return { kind: 'incomplete', reason: 'timeout' };
      }
      if (next.done) return { kind: 'read', bytes: keeper.bytes(), cut: false };
      if (keeper.take(next.value)) {
        void reader.cancel().catch(() => undefined);
        return { kind: 'read', bytes: keeper.bytes(), cut: true };
      }
    }
  } finally {
    clearTimeout(timer);
  }
}
