/**
 * `npm run bench -- pings [--duration 10] [--connections 100,500] [--warmup 2]`
 *
 * Ping intake against real Postgres (DATABASE_URL, default the local server):
 *  - starts the service on a fresh database and, in the same process, a bare
 *    hono route answering 200 `OK` (the ceiling for this process and machine);
 *  - drives `GET /ping/<uuid>` round-robin over 1,000 checks with wrk (or
 *    autocannon in a child process; `--generator`), over loopback, at each
 *    connection count, and the bare route with the same connections and duration;
 *  - checks afterwards that nothing acknowledged was lost: every 200 the
 *    server sent is one ping row and one count in `checks.n_pings`, check by
 *    check, and the clients received no more 200s than the server sent;
 *  - says where the time goes at 100 connections: the ping route over a
 *    service that answers at once (the HTTP half), and the intake committing
 *    to Postgres for 100 in-process clients (the storage half), with the CPU
 *    each side spends per ping;
 *  - measures flip latency: 1,000 checks whose deadlines spread over 10 s,
 *    latency = when the evaluator saw the missed deadline − the deadline.
 *
 * Goals (issue): pings/bare ≥ 0.5 and p99 < 25 ms at 100 connections.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { metrics } from '@opentelemetry/sdk-node';
import { Hono } from 'hono';
import pg from 'pg';
import { systemClock } from '../../src/clock.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { redactUrl } from '../../src/redact.js';
import { insertCheck } from '../../src/heartbeats/checks-store.js';
import { listen, type Listening } from '../../src/http/server.js';
import { benchDatabase } from './support/database.js';
import { codes, fmt, createLoad, ok200, parseLoadOptions, percentile, rate, runCleanup, withLoopBusy, type LoadSummary } from './support/load.js';
import { createLogger } from '../../src/logger.js';
import { httpHalf, storageHalf } from './support/ping-parts.js';
import { postgresCpu } from './support/postgres-cpu.js';
import { startBenchService } from './support/service.js';

const CHECKS = 1000;
const FLIP_CHECKS = 1000;
const FLIP_SPREAD_S = 10;
const FLIP_WAIT_S = 30;
const GOAL_RATIO = 0.5;
const GOAL_P99_MS = 25;
const GOAL_AT_CONNECTIONS = 100;


/** A metric reader read on demand (batch sizes of the ping intake). */
class ManualMetricReader extends metrics.MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

async function histogramTotals(reader: metrics.MetricReader, name: string): Promise<{ count: number; sum: number }> {
  const { resourceMetrics } = await reader.collect();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      let count = 0;
      let sum = 0;
      for (const p of metric.dataPoints) {
        const v = p.value as { count?: number; sum?: number };
        count += v.count ?? 0;
        sum += v.sum ?? 0;
      }
      return { count, sum };
    }
  }
  return { count: 0, sum: 0 };
}

/** Counts what the server answered on /ping/, and how many requests are still being handled. */
class ServerTally {
  ok = 0;
  /** 200s by the path's check id (`/ping/<uuid>`). */
  okByCheck = new Map<string, number>();
  other = new Map<number, number>();
  inFlight = 0;
  #idle: (() => void)[] = [];

  /** The same app with its fetch wrapped; `listen` only calls `fetch`. */
  wrap<T extends Hono<any>>(app: T): T {
    const wrapped = Object.create(app) as T;
    wrapped.fetch = async (request, env, ctx) => {
      const isPing = request.url.includes('/ping/');
      if (isPing) this.inFlight++;
      try {
        const res = await app.fetch(request, env, ctx);
        if (isPing) {
          if (res.status === 200) {
            this.ok++;
            const at = request.url.indexOf('/ping/') + '/ping/'.length;
            const id = request.url.slice(at, at + 36);
            this.okByCheck.set(id, (this.okByCheck.get(id) ?? 0) + 1);
          }
          else this.other.set(res.status, (this.other.get(res.status) ?? 0) + 1);
        }
        return res;
      } finally {
        if (isPing && --this.inFlight === 0) for (const r of this.#idle.splice(0)) r();
      }
    };
    return wrapped;
  }

  /** Resolves once no ping request is being handled (including ones whose client already hung up). */
  settled(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((r) => this.#idle.push(r));
  }
}

interface PingRun {
  connections: number;
  ping: LoadSummary;
  bare: LoadSummary;
  batches: { count: number; sum: number };
  /** Share of the run this process's event loop was busy (service and bare route live here). */
  pingLoopBusy: number;
  bareLoopBusy: number;
}

async function createChecks(database: DatabaseHandle, pingKey: string, specs: { timeoutS: number; graceS: number }[]): Promise<string[]> {
  const ids: string[] = new Array(specs.length);
  const parallel = 16;
  for (let start = 0; start < specs.length; start += parallel) {
    await Promise.all(
      specs.slice(start, start + parallel).map(async (s, k) => {
        ids[start + k] = await insertCheck(database.db, { tenantId: null, pingKey, timeoutS: s.timeoutS, graceS: s.graceS }, systemClock.now());
      }),
    );
  }
  return ids;
}

export async function run(args: string[]): Promise<void> {
  const opts = parseLoadOptions(args, { connections: '100,500' });
  const database = await benchDatabase();
  const dbUrl = database.url;
  const serverCpu = postgresCpu(database.admin, new URL(dbUrl).pathname.slice(1));

  const cleanup: (() => Promise<void>)[] = [];
  let failed = false;
  try {
    const metricReader = new ManualMetricReader();
    const { database, overdue, report, telemetry, config } = await startBenchService(dbUrl, cleanup, {
      metricReaders: [metricReader],
      env: {
        // Retention (a scheduler job) would trim each check to its newest 100 pings mid-run;
        // keep them all so the ping rows can be checked against the counters too.
        PING_LOG_LIMIT: '100000',
        // Tuning knobs, passed through for experiments.
        PING_COMMIT_WAIT: process.env.PING_COMMIT_WAIT,
        PING_COMMIT_CONCURRENCY: process.env.PING_COMMIT_CONCURRENCY,
      },
    });
    const pingKey = report.platformPingKey!;

    const tally = new ServerTally();
    const service: Listening = await listen(tally.wrap(overdue.app), { port: 0, host: '127.0.0.1' });
    cleanup.push(() => service.close(2000));
    const bareApp = new Hono();
    bareApp.get('/', (c) => c.text('OK'));
    const bare: Listening = await listen(bareApp, { port: 0, host: '127.0.0.1' });
    cleanup.push(() => bare.close(2000));

    const verify = new pg.Client({ connectionString: dbUrl });
    await verify.connect();
    cleanup.push(() => verify.end());

    const load = createLoad(opts.generator);
    cleanup.push(() => load.close());

    console.log(
      `pings benchmark: Postgres ${redactUrl(dbUrl)}, ${CHECKS} checks, ` +
        `${opts.durationS} s per run at ${opts.connections.join(', ')} connections, load from ${opts.generator}`,
    );

    // Load phase: 1,000 checks whose deadlines are a day away, so nothing flips meanwhile.
    const ids = await createChecks(database, pingKey, Array.from({ length: CHECKS }, () => ({ timeoutS: 86_400, graceS: 3_600 })));
    const paths = ids.map((id) => `/ping/${id}`);
    const serviceUrl = `http://127.0.0.1:${service.port}`;
    const bareUrl = `http://127.0.0.1:${bare.port}/`;

    const received = new Array<number>(CHECKS).fill(0);
    let received200 = 0;
    const settle = async () => {
      await tally.settled();
      await overdue.heartbeats.intake.drained();
    };
    const drive = async (connections: number, durationS: number) => {
      const [ping, busy] = await withLoopBusy(() => load.run({ url: serviceUrl, connections, durationS, paths }));
      ping.okByPath?.forEach((n, i) => (received[i]! += n));
      received200 += ok200(ping);
      await settle();
      return [ping, busy] as const;
    };

    if (opts.warmupS > 0) {
      process.stdout.write(`warming up (${opts.warmupS} s each)…\n`);
      await load.run({ url: bareUrl, connections: opts.connections[0]!, durationS: opts.warmupS });
      await drive(opts.connections[0]!, opts.warmupS);
    }

    const runs: PingRun[] = [];
    for (const connections of opts.connections) {
      const [bareResult, bareLoopBusy] = await withLoopBusy(() => load.run({ url: bareUrl, connections, durationS: opts.durationS }));
      await sleep(300);
      const before = await histogramTotals(metricReader, 'overdue_ping_batch_size');
      const [pingResult, pingLoopBusy] = await drive(connections, opts.durationS);
      const after = await histogramTotals(metricReader, 'overdue_ping_batch_size');
      const batches = { count: after.count - before.count, sum: after.sum - before.sum };
      runs.push({ connections, ping: pingResult, bare: bareResult, batches, pingLoopBusy, bareLoopBusy });
      await sleep(300);
    }

    console.log('');
    const pad = ' '.repeat(20);
    for (const r of runs) {
      const ratio = rate(r.ping) / rate(r.bare);
      const l = r.ping.latencyMs;
      console.log(
        `pings ${String(r.connections).padStart(4)} conns: ${fmt(rate(r.ping)).padStart(6)} req/s  p50 ${fmt(l.p50)} ms  p99 ${fmt(l.p99)} ms | ` +
          `bare ${fmt(rate(r.bare)).padStart(6)} req/s | ratio ${fmt(ratio, 2)}`,
      );
      const notes = [
        `ping max ${fmt(l.max)} ms`,
        `bare p50 ${fmt(r.bare.latencyMs.p50)} ms p99 ${fmt(r.bare.latencyMs.p99)} ms`,
        r.batches.count ? `${fmt(r.batches.count)} commits, ${fmt(r.batches.sum / r.batches.count, 1)} pings/commit` : '',
        `event loop busy ${fmt(r.pingLoopBusy * 100)}% (pings) / ${fmt(r.bareLoopBusy * 100)}% (bare)`,
        codes(r.ping) && `pings also got ${codes(r.ping)}`,
        codes(r.bare) && `bare also got ${codes(r.bare)}`,
      ].filter(Boolean);
      console.log(`${pad}(${notes.join('; ')})`);
    }
    const goalRun = runs.find((r) => r.connections === GOAL_AT_CONNECTIONS);
    if (goalRun) {
      const ratio = rate(goalRun.ping) / rate(goalRun.bare);
      const p99 = goalRun.ping.latencyMs.p99;
      console.log(
        `goal at ${GOAL_AT_CONNECTIONS} conns: ratio ${fmt(ratio, 2)} (≥ ${GOAL_RATIO}: ${ratio >= GOAL_RATIO ? 'met' : 'MISSED'}), ` +
          `p99 ${fmt(p99)} ms (< ${GOAL_P99_MS} ms: ${p99 < GOAL_P99_MS ? 'met' : 'MISSED'})`,
      );
    }

    // Where the time goes, at the goal's connection count: each half of a ping measured apart.
    const http = await httpHalf(
      {
        db: database.db,
        clock: systemClock,
        logger: createLogger('silent'),
        tracer: telemetry.tracer,
        meter: telemetry.meter,
        bodyLimitBytes: config.httpBodyLimitBytes,
        readiness: { db: database.db, schema: overdue.schema, background: overdue.background },
      },
      load,
      { connections: GOAL_AT_CONNECTIONS, durationS: opts.durationS, checks: CHECKS },
    );
    const storageIds = await createChecks(database, pingKey, Array.from({ length: CHECKS }, () => ({ timeoutS: 86_400, graceS: 3_600 })));
    await serverCpu.start();
    const storage = await storageHalf(overdue.heartbeats.intake, storageIds, { clients: GOAL_AT_CONNECTIONS, durationS: opts.durationS });
    const pgSeconds = await serverCpu.seconds();
    const bareAtGoal = goalRun ? rate(goalRun.bare) : Number.NaN;
    console.log(
      `where the time goes at ${GOAL_AT_CONNECTIONS} conns: ` +
        `HTTP half (ping route, instant answer, no database) ${fmt(rate(http.summary))} req/s p99 ${fmt(http.summary.latencyMs.p99)} ms ` +
        `(ratio ${fmt(rate(http.summary) / bareAtGoal, 2)}; event loop busy ${fmt(http.loopBusy * 100)}%)`,
    );
    console.log(
      `${pad}storage half (intake + Postgres, ${GOAL_AT_CONNECTIONS} in-process clients, no HTTP) ${fmt(storage.pings / storage.seconds)} pings/s ` +
        `p50 ${fmt(storage.p50, 1)} ms p99 ${fmt(storage.p99, 1)} ms (ratio ${fmt(storage.pings / storage.seconds / bareAtGoal, 2)}); ` +
        `CPU per ping: Node ${fmt(storage.nodeUs)} µs` +
        (pgSeconds === undefined ? ', Postgres not measurable (remote server)' : `, Postgres ${fmt((pgSeconds * 1e6) / storage.pings)} µs`),
    );

    // Nothing acknowledged was lost: the server's 200s, the ping rows and n_pings of the benchmark's
    // checks agree exactly, and no check got more 200s at the client than it counted. (The service's
    // own checks, e.g. the scheduler's, get pings from inside the process and are left out.)
    await settle();
    const sums = await verify.query<{ n_pings: string; rows: string; mismatched: string; down: string }>(
      `select (select coalesce(sum(n_pings), 0) from checks where id = any($1::uuid[])) as n_pings,
              (select count(*) from pings where check_id = any($1::uuid[])) as rows,
              (select count(*) from checks c where c.id = any($1::uuid[])
                  and c.n_pings <> (select count(*) from pings p where p.check_id = c.id)) as mismatched,
              (select count(*) from checks where id = any($1::uuid[]) and status = 'down') as down`,
      [ids],
    );
    const perCheck = await verify.query<{ id: string; n_pings: string }>(`select id, n_pings from checks where id = any($1::uuid[])`, [ids]);
    const counted = new Map(perCheck.rows.map((r) => [r.id, Number(r.n_pings)]));
    // Per check: exactly the 200s the server sent for it; and (autocannon only, which can tell) no fewer than the client received.
    const short = ids.filter((id, i) => (counted.get(id) ?? 0) < received[i]!).length;
    const uneven = ids.filter((id) => (counted.get(id) ?? 0) !== (tally.okByCheck.get(id) ?? 0)).length;
    const row = sums.rows[0]!;
    const nPings = Number(row.n_pings);
    const pingRows = Number(row.rows);
    const cut = tally.ok - received200;
    const totalConnections = (opts.warmupS > 0 ? opts.connections[0]! : 0) + opts.connections.reduce((a, b) => a + b, 0);
    const pass =
      nPings === tally.ok &&
      pingRows === tally.ok &&
      Number(row.mismatched) === 0 &&
      short === 0 &&
      uneven === 0 &&
      received200 <= tally.ok &&
      cut <= totalConnections;
    if (!pass) failed = true;
    const otherServer = [...tally.other].map(([c, n]) => `${c}×${n}`).join(' ');
    console.log(
      `acknowledged 200s: ${fmt(received200)} received by clients, ${fmt(tally.ok)} sent by the server ` +
        `(${fmt(cut)} in flight when the load generator closed its connections); ` +
        `sum(n_pings): ${fmt(nPings)}; ping rows: ${fmt(pingRows)}; ` +
        `checks whose n_pings ≠ the server's 200s for them: ${uneven}; with fewer pings than 200s received: ${short}; ` +
        `n_pings ≠ own rows: ${row.mismatched}` +
        (otherServer ? `; server non-200s: ${otherServer}` : '') +
        (Number(row.down) ? `; checks down: ${row.down}` : '') +
        ` -> ${pass ? 'PASS' : 'FAIL'}`,
    );

    // Flip latency: deadlines 10 ms apart over 10 s. Check k + 100·j (timeout j+1 s, grace 1 s)
    // is pinged k·10 ms after the start, so its deadline is ≈ start + (j + 2) s + k·10 ms.
    const perRound = FLIP_CHECKS / FLIP_SPREAD_S;
    const flipIds = await createChecks(
      database,
      pingKey,
      Array.from({ length: FLIP_CHECKS }, (_, i) => ({ timeoutS: Math.floor(i / perRound) + 1, graceS: 1 })),
    );
    const flipStart = Date.now();
    const step = 1000 / perRound;
    const answers: Promise<number>[] = [];
    for (let k = 0; k < perRound; k++) {
      const wait = flipStart + k * step - Date.now();
      if (wait > 0) await sleep(wait);
      for (let j = 0; j < FLIP_SPREAD_S; j++) {
        const id = flipIds[k + perRound * j]!;
        answers.push(
          fetch(`${serviceUrl}/ping/${id}`).then(async (res) => {
            await res.arrayBuffer();
            return res.status;
          }),
        );
      }
    }
    const statuses = await Promise.all(answers);
    const notOk = statuses.filter((s) => s !== 200).length;
    if (notOk > 0) throw new Error(`flip phase: ${notOk} of ${FLIP_CHECKS} pings were not answered 200`);

    let flipped = 0;
    while (Date.now() - flipStart < FLIP_WAIT_S * 1000) {
      const { rows } = await verify.query<{ n: string }>(
        `select count(*) as n from flips where new_status = 'down' and check_id = any($1::uuid[])`,
        [flipIds],
      );
      flipped = Number(rows[0]!.n);
      if (flipped >= FLIP_CHECKS) break;
      await sleep(200);
    }
    const { rows: flipRows } = await verify.query<{ ms: number; created_ms: number }>(
      `select (extract(epoch from f.detected_at - f.created) * 1000)::float8 as ms,
              (extract(epoch from f.created) * 1000)::float8 as created_ms
         from flips f where f.new_status = 'down' and f.check_id = any($1::uuid[])`,
      [flipIds],
    );
    const lat = flipRows.map((r) => r.ms).sort((a, b) => a - b);
    const first = Math.min(...flipRows.map((r) => r.created_ms)) - flipStart;
    const last = Math.max(...flipRows.map((r) => r.created_ms)) - flipStart;
    if (flipped < FLIP_CHECKS) failed = true;
    console.log(
      `flip latency over ${FLIP_CHECKS} checks: p50 ${fmt(percentile(lat, 50))} ms, p99 ${fmt(percentile(lat, 99))} ms, ` +
        `max ${fmt(lat.at(-1) ?? Number.NaN)} ms, min ${fmt(lat[0] ?? Number.NaN)} ms ` +
        `(${flipped}/${FLIP_CHECKS} flipped; deadlines from +${fmt(first / 1000, 1)} s to +${fmt(last / 1000, 1)} s)`,
    );
  } finally {
    // Newest first: load generator, verify client, HTTP, background work, database, telemetry.
    await runCleanup(cleanup);
    await database.drop();
  }
  if (failed) {
    console.log('FAIL');
    process.exitCode = 1;
  }
}
