/**
 * `npm run bench -- alerts [--checks 1000] [--spread 10]`
 *
 * Time from a missed deadline to the first channel's receiver, against real
 * Postgres (DATABASE_URL, default the local server) with the service's
 * background work running on the system clock:
 *  - a Slack-shaped receiver on loopback is the platform's default channel;
 *  - 1,000 checks (timeout 1..10 s, grace 1 s) are pinged 10 ms apart so that
 *    their deadlines spread over 10 s (100 alerts a second);
 *  - for each check: baseline = when the deadline evaluator saw the missed
 *    deadline (its flip's detected_at) − the deadline; alert = when the
 *    receiver got the check's alert − the deadline.
 * Goal (issue): alert p99 < 2 s.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { systemClock } from '../../src/clock.js';
import { insertCheck } from '../../src/heartbeats/checks-store.js';
import { benchDatabase } from './support/database.js';
import { fmt, percentile, runCleanup } from './support/load.js';
import { startBenchService } from './support/service.js';

const GOAL_P99_MS = 2000;

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { checks: { type: 'string', default: '1000' }, spread: { type: 'string', default: '10' } } });
  const n = Number(values.checks);
  const spreadS = Number(values.spread);
  const database = await benchDatabase();
  const cleanup: (() => Promise<void>)[] = [];
  let failed = false;
  try {
    // The receiver: arrival time per check name (from the alert's text).
    const arrived = new Map<string, number>();
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = Date.now();
        const name = /alert-bench-\d+/.exec(Buffer.concat(chunks).toString('utf8'))?.[0];
        if (name && !arrived.has(name)) arrived.set(name, at);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    cleanup.push(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
    const port = (receiver.address() as AddressInfo).port;

    const { overdue, report, database: handle } = await startBenchService(database.url, cleanup, { env: { WEBHOOK_ALLOW_PRIVATE: '127.0.0.1' } });
    const admin = report.generatedAdminKey!;
    const made = await overdue.app.request('/api/v1/channels', {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'slack', name: 'bench', config: { url: `http://127.0.0.1:${port}/services/bench` }, default: true }),
    });
    if (made.status !== 201) throw new Error(`channel: ${made.status} ${await made.text()}`);

    // Check k + perRound·j has timeout j+1 s and is pinged k·step ms after the start.
    const db = handle.db;
    const perRound = n / spreadS;
    const ids: string[] = new Array(n);
    for (let start = 0; start < n; start += 16) {
      await Promise.all(
        Array.from({ length: Math.min(16, n - start) }, async (_, k) => {
          const i = start + k;
          ids[i] = await insertCheck(db, { tenantId: null, pingKey: report.platformPingKey!, name: `alert-bench-${i}`, timeoutS: Math.floor(i / perRound) + 1, graceS: 1 }, systemClock.now());
        }),
      );
    }
    const t0 = Date.now();
    const step = 1000 / perRound;
    const answers: Promise<number>[] = [];
    for (let k = 0; k < perRound; k++) {
      const wait = t0 + k * step - Date.now();
      if (wait > 0) await sleep(wait);
      for (let j = 0; j < spreadS; j++) answers.push(Promise.resolve(overdue.app.request(`/ping/${ids[k + perRound * j]}`)).then((r: Response) => r.status));
    }
    if ((await Promise.all(answers)).some((s) => s !== 200)) throw new Error('a ping was not answered 200');
    while (arrived.size < n && Date.now() - t0 < (spreadS + 30) * 1000) await sleep(100);

    const verify = new pg.Client({ connectionString: database.url });
    await verify.connect();
    cleanup.push(() => verify.end());
    const { rows } = await verify.query<{ name: string; deadline_ms: number; detected_ms: number }>(
      `select c.name, (extract(epoch from f.created) * 1000)::float8 as deadline_ms, (extract(epoch from f.detected_at) * 1000)::float8 as detected_ms
         from flips f join checks c on c.id = f.check_id where f.new_status = 'down' and c.name like 'alert-bench-%'`,
    );
    const flip = rows.map((r) => r.detected_ms - r.deadline_ms).sort((a, b) => a - b);
    const alert = rows.flatMap((r) => (arrived.has(r.name) ? [arrived.get(r.name)! - r.deadline_ms] : [])).sort((a, b) => a - b);
    const line = (label: string, v: number[]) => `${label}: p50 ${fmt(percentile(v, 50))} ms, p99 ${fmt(percentile(v, 99))} ms, max ${fmt(v.at(-1) ?? Number.NaN)} ms`;
    console.log(`${n} checks, deadlines over ${spreadS} s; ${rows.length} flipped, ${arrived.size} alerts received`);
    console.log(line('baseline, deadline -> flip detected', flip));
    console.log(line('deadline -> alert at the receiver', alert));
    const pass = arrived.size === n && percentile(alert, 99) < GOAL_P99_MS;
    console.log(`goal: every alert received, p99 < ${GOAL_P99_MS} ms -> ${pass ? 'PASS' : 'FAIL'}`);
    failed = !pass;
  } finally {
    await runCleanup(cleanup);
    await database.drop();
  }
  if (failed) process.exitCode = 1;
}
