import { Hono, type Context } from 'hono';
import { sql, type Kysely } from 'kysely';
import type { BackgroundWork } from '../background.js';
import type { SchemaGuard } from '../db/schema-guard.js';
import { peerAddress } from './client-address.js';
import { presentsAdminKey } from './middleware/api-key.js';
import { requestHeader } from './request-header.js';

export interface ReadinessProblem {
  check: 'database' | 'schema' | 'background';
  message: string;
}

export interface ReadinessDeps {
  db: Kysely<any>;
  schema: SchemaGuard;
  background: BackgroundWork;
  /** How long the database may take to answer `select 1`. */
  dbTimeoutMs?: number;
}

/** Everything that keeps this instance from being ready, empty when ready. */
export async function readinessProblems(deps: ReadinessDeps): Promise<ReadinessProblem[]> {
  const problems: ReadinessProblem[] = [];
  try {
    await withTimeout(sql`select 1`.execute(deps.db), deps.dbTimeoutMs ?? 2000);
  } catch (err) {
    problems.push({ check: 'database', message: `database not reachable: ${(err as Error).message}` });
  }
  const schema = deps.schema.status;
  if (!schema.ok) problems.push({ check: 'schema', message: schema.reason ?? 'schema does not match the code' });
  else if (!deps.background.running) problems.push({ check: 'background', message: 'background work is not running' });
  for (const message of deps.background.problems()) problems.push({ check: 'background', message });
  return problems;
}

/** IPv4 127/8, IPv6 ::1, and IPv4 loopback mapped into IPv6. */
export function isLoopback(address: string): boolean {
  return /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(address) || address === '::1';
}

/**
 * Who may read /readyz's details (problems, schema, loops: what an attacker
 * would like to know): the admin key, or a request from this host. "From this
 * host" is the socket's peer being a loopback address and no X-Forwarded-For
 * (or Forwarded) header, whatever TRUST_PROXY says: a proxy on the same host
 * forwards outsiders from a loopback address, and says so in that header. A
 * request with no socket at all was made in-process (`app.request`), which
 * only code inside the process can do.
 */
async function mayReadDetails(c: Context, db: Kysely<any>, timeoutMs: number): Promise<boolean> {
  const inProcess = (c.env as { incoming?: unknown } | undefined)?.incoming === undefined;
  const local = inProcess || isLoopback(peerAddress(c) ?? '');
  if (local && requestHeader(c, 'x-forwarded-for') === undefined && requestHeader(c, 'forwarded') === undefined) return true;
  return withTimeout(presentsAdminKey(db, c.req), timeoutMs).catch(() => false);
}

export function healthRoutes(deps: ReadinessDeps): Hono {
  const app = new Hono();
  // Liveness: the process answers. Never touches the database, so a database
  // outage does not get the process restarted in a loop.
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  // Readiness, for load balancers and orchestrators: the status for anyone,
  // the reasons only for the operator (mayReadDetails).
  app.get('/readyz', async (c) => {
    const [problems, details] = await Promise.all([readinessProblems(deps), mayReadDetails(c, deps.db, deps.dbTimeoutMs ?? 2000)]);
    const status = problems.length === 0 ? 'ready' : 'unavailable';
    c.header('Cache-Control', 'no-store');
    if (!details) return c.json({ status }, problems.length === 0 ? 200 : 503);
    const schema = deps.schema.status;
    const body = {
      status,
      problems,
      schema: { ok: schema.ok, applied: schema.applied.length, pending: schema.pending, unknown: schema.unknown },
      background: { running: deps.background.running, loops: deps.background.loopNames },
    };
    return c.json(body, problems.length === 0 ? 200 : 503);
  });
  return app;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    // Real time on purpose: this bounds an I/O wait, not domain time.
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
