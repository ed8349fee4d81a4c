import type { LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { BlockList, LookupFunction } from 'node:net';
import { parseTarget, resolvePublic } from './targets.js';

/** At most this much of a response body is kept (receivers' answers are only logged or shown). */
const BODY_CAP = 64 * 1024;

export type SafeRequest = (req: { url: string; method?: string; headers: Record<string, string>; body: string; timeoutMs: number }) => Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}>;

/**
 * An outbound request to a receiver chosen by a user (webhooks, alert
 * channels). Checking the target with one DNS lookup and then connecting with
 * another lets a rebinding name answer public first and private second, so
 * the host is resolved once, every address checked, and the connection is
 * pinned to the checked addresses (TLS SNI and Host still carry the name).
 * No redirects are followed (a 3xx is returned): a redirect could point
 * anywhere. `timeoutMs` bounds everything, DNS included.
 */
export function safeRequest(allow: BlockList): SafeRequest {
  return async (req) => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`timed out after ${req.timeoutMs} ms`)), req.timeoutMs);
    try {
      const target = parseTarget(req.url);
      if ('refused' in target) throw new Error(target.refused);
      const resolved = await Promise.race([resolvePublic(target.host, allow), aborted(abort.signal)]);
      if ('refused' in resolved) throw new Error(resolved.refused);
      return await send(target.url, target.host, resolved.addresses, req, abort.signal);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Rejects with the abort reason (the DNS lookup itself cannot be cancelled: its answer is just not waited for). */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
}

/**
 * Answers the connection's lookup with the checked addresses only, whatever
 * DNS says now. Node calls it with `all: true` when it tries address families
 * in turn (autoSelectFamily), and without for a single address.
 */
function pinned(addresses: LookupAddress[]): LookupFunction {
  return (_host, options, callback) => {
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  };
}

function send(url: URL, host: string, addresses: LookupAddress[], req: Parameters<SafeRequest>[0], signal: AbortSignal): ReturnType<SafeRequest> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const body = Buffer.from(req.body, 'utf8');
    let res: IncomingMessage | undefined;
    const r = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      {
        protocol: url.protocol,
        hostname: host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: req.method ?? 'POST',
        headers: { ...req.headers, 'content-length': String(body.length) },
        lookup: pinned(addresses),
        // A fresh connection each time: a pooled socket is keyed by host name, not by the address it was pinned to.
        agent: false,
      },
      (response) => {
        res = response;
        const kept: Buffer[] = [];
        let size = 0;
        // Past the cap the rest is read off and dropped, so the exchange ends normally (the timeout still bounds it).
        response.on('data', (chunk: Buffer) => {
          if (size >= BODY_CAP) return;
          const part = chunk.subarray(0, BODY_CAP - size);
          kept.push(part);
          size += part.length;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(kept).toString('utf8') }));
        response.on('error', reject);
        response.on('close', () => reject(new Error('connection closed before the response ended'))); // no-op after 'end'
      },
    );
    r.on('error', reject);
    signal.addEventListener(
      'abort',
      () => {
        reject(signal.reason);
        r.destroy();
        res?.destroy();
      },
      { once: true },
    );
    r.end(body);
  });
}
