import { Hono } from 'hono';
import { sql, type Kysely } from 'kysely';
import type { BackgroundWork } from '../background.js';
import type { SchemaGuard } from '../db/schema-guard.js';

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

export function healthRoutes(deps: ReadinessDeps): Hono {
  const app = new Hono();
  // Liveness: the process answers. Never touches the database, so a database
  // outage does not get the process restarted in a loop.
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const problems = await readinessProblems(deps);
    const schema = deps.schema.status;
    const body = {
      status: problems.length === 0 ? 'ready' : 'unavailable',
      problems,
      schema: { ok: schema.ok, applied: schema.applied.length, pending: schema.pending, unknown: schema.unknown },
      background: { running: deps.background.running, loops: deps.background.loopNames },
    };
    c.header('Cache-Control', 'no-store');
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
