/**
 * Load generator for the benchmarks, run as a child process (`fork`) so that
 * autocannon's own event loop never shares a thread with the server it
 * measures. The parent sends one job at a time over IPC and gets a summary back.
 *
 * With `paths`, requests cycle round-robin through them across all connections,
 * and every response is attributed to the path it answered, so the parent can
 * compare per-path acknowledgements with what the server stored.
 */
import autocannon from 'autocannon';

export interface LoadJob {
  id: number;
  url: string;
  connections: number;
  durationS: number;
  /** Request paths to cycle through; without it every request goes to `url`. */
  paths?: string[];
}

export interface LoadSummary {
  durationS: number;
  /** Responses received, by status code. */
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Response bytes received (headers and bodies). */
  bytes: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Per entry of `paths`: 200 responses received for it. */
  okByPath?: number[];
}

export type LoadReply = { id: number; summary: LoadSummary } | { id: number; error: string };

async function runJob(job: LoadJob): Promise<LoadSummary> {
  let requests: autocannon.Request[] | undefined;
  let okByPath: number[] | undefined;
  if (job.paths && job.paths.length > 0) {
    const paths = job.paths;
    const ok = (okByPath = new Array<number>(paths.length).fill(0));
    let next = 0;
    requests = [
      {
        method: 'GET',
        // Called right before each request is written; the context belongs to
        // the connection and, with no pipelining, the next response answers it.
        setupRequest: (req, context) => {
          const index = next;
          next = (next + 1) % paths.length;
          (context as { index?: number }).index = index;
          return { ...req, path: paths[index]! };
        },
        onResponse: (status, _body, context) => {
          const index = (context as { index?: number }).index;
          if (status === 200 && index !== undefined) ok[index]!++;
        },
      },
    ];
  }
  const result = await autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.durationS,
    pipelining: 1,
    ...(requests && { requests }),
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
  const l = result.latency;
  return {
    durationS: result.duration,
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
    bytes: result.throughput.total,
    latencyMs: { p50: l.p50, p90: l.p90, p99: l.p99, max: l.max, mean: l.mean },
    ...(okByPath && { okByPath }),
  };
}

process.on('message', (job: LoadJob) => {
  runJob(job).then(
    (summary) => process.send!({ id: job.id, summary } satisfies LoadReply),
    (err: unknown) => process.send!({ id: job.id, error: (err as Error)?.stack ?? String(err) } satisfies LoadReply),
  );
});
process.on('disconnect', () => process.exit(0));
