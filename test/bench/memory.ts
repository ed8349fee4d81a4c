/**
 * `npm run bench -- memory [--start compiled|tsx] [--checks 100000] [--settle 40] [--load 20] [--connections 100] [--node-flags="--flag …"] [--env NAME=value …]`
 *
 * Resident memory of one service process on Postgres (DATABASE_URL, default
 * the local server), started as `npm start` starts it: the build, then the
 * start script's node command (`--start tsx`: `node --import tsx src/main.ts`,
 * the start before the build step, for comparison; `--node-flags` go before
 * either). On a fresh database:
 *  - idle: no checks, RSS 10 s after the service answers /readyz and again
 *    after `--settle` s (V8 shrinks its heap some 20–30 s into a quiet spell);
 *  - with N checks: N simple checks inserted with one SQL statement, each
 *    pinged once over HTTP (so the intake and the database have handled every
 *    one), then RSS 10 s and `--settle` s later;
 *  - under ping load: the load generator round-robin over all N checks, RSS
 *    sampled every 250 ms, then 10 s and `--settle` s after it;
 *  - peak: the kernel's high-water mark (VmHWM) over the process's life.
 * RSS is VmRSS of /proc/<pid>/status for the service's node process only
 * (not Postgres, not the load generator, not an `npm` parent).
 *
 * Goals (issue 20): idle < 150 MB, with 100,000 checks < 250 MB (judged on
 * the 10 s figures).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { redactUrl } from '../../src/redact.js';
import { benchDatabase } from './support/database.js';
import { createLoad, fmt, runCleanup, type GeneratorName } from './support/load.js';

const GOAL_IDLE_MB = 150;
const GOAL_CHECKS_MB = 250;
const repo = fileURLToPath(new URL('../../', import.meta.url));

interface Memory {
  rssMb: number;
  /** Peak RSS of the process so far. */
  hwmMb: number;
}

/** VmRSS and VmHWM of `pid`, in MB (the kernel reports kB). */
function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

function options(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      start: { type: 'string', default: 'compiled' },
      checks: { type: 'string', default: '100000' },
      settle: { type: 'string', default: '40' },
      load: { type: 'string', default: '20' },
      connections: { type: 'string', default: '100' },
      'node-flags': { type: 'string', default: '' },
      generator: { type: 'string', default: 'autocannon' },
      env: { type: 'string', multiple: true, default: [] },
    },
    strict: true,
  });
  if (values.start !== 'compiled' && values.start !== 'tsx') throw new Error(`--start: expected compiled or tsx, got ${values.start}`);
  const whole = (name: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected a whole number ≥ ${min}, got ${v}`);
    return n;
  };
  if (values.generator !== 'wrk' && values.generator !== 'autocannon') throw new Error(`--generator: expected wrk or autocannon`);
  return {
    start: values.start as 'compiled' | 'tsx',
    checks: whole('checks', values.checks, 0),
    settleS: whole('settle', values.settle, 1),
    loadS: whole('load', values.load, 0),
    connections: whole('connections', values.connections, 1),
    nodeFlags: values['node-flags'].split(' ').filter(Boolean),
    generator: values.generator as GeneratorName,
    env: Object.fromEntries(values.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
  };
}

/** The node arguments `npm start` runs (package.json's start script, `node …`), so the figures are that start's. */
function npmStartArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [command, ...args] = pkg.scripts.start.split(/\s+/);
  if (command !== 'node') throw new Error(`the start script is not a plain node command: ${pkg.scripts.start}`);
  return args;
}

/** Starts the service on `url` and resolves with its base URL once it prints its banner. */
function startService(args: string[], env: Record<string, string>, url: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, args, {
    cwd: repo,
    env: { PATH: process.env.PATH, ...env, DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const m = /running at http:\/\/localhost:(\d+)/.exec(out);
      if (m) resolve({ child, base: `http://127.0.0.1:${m[1]}` });
    });
    child.once('exit', (code) => reject(new Error(`service exited (${code}) before it was ready:\n${out}`)));
  });
}

async function waitReady(base: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${base}/readyz`).catch(() => undefined);
    await res?.body?.cancel();
    if (res?.ok) return;
    await sleep(100);
  }
  throw new Error('service never became ready');
}

/** GET /ping/<id> once for every id, `parallel` at a time; returns how many answered 200. */
async function pingEach(base: string, ids: string[], parallel: number): Promise<number> {
  let next = 0;
  let ok = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const res = await fetch(`${base}/ping/${id}`);
      await res.text();
      if (res.status === 200) ok++;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return ok;
}

/** RSS 10 s into a quiet spell and at its end (`settleS`). */
async function quiet(pid: number, settleS: number): Promise<{ at10: number; settled: number }> {
  await sleep(Math.min(10, settleS) * 1000);
  const at10 = memoryOf(pid).rssMb;
  if (settleS > 10) await sleep((settleS - 10) * 1000);
  return { at10, settled: memoryOf(pid).rssMb };
}

const line = (label: string, q: { at10: number; settled: number }, settleS: number) =>
  console.log(`  ${label.padEnd(44)} RSS ${fmt(q.at10)} MB after 10 s, ${fmt(q.settled)} MB after ${settleS} s`);

export async function run(args: string[]): Promise<void> {
  const opts = options(args);
  if (opts.start === 'compiled') {
    const tsc = spawnSync(process.execPath, [fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'], {
      cwd: repo,
      stdio: 'inherit',
    });
    if (tsc.status !== 0) throw new Error('build failed');
  }
  const database = await benchDatabase();
  const cleanup: (() => Promise<void>)[] = [() => database.drop()];
  try {
    const args = opts.start === 'compiled' ? npmStartArgs() : ['--import', 'tsx', 'src/main.ts'];
    const { child, base } = await startService([...opts.nodeFlags, ...args], opts.env, database.url);
    const pid = child.pid!;
    cleanup.push(async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    });
    await waitReady(base);
    console.log(`memory benchmark: node ${[...opts.nodeFlags, ...args].join(' ')} (pid ${pid}) on Postgres ${redactUrl(database.url)}, ${fmt(opts.checks)} checks`);

    const idle = await quiet(pid, opts.settleS);
    line('idle, no checks:', idle, opts.settleS);

    // The admin connection is on the server's default database; the checks go into the bench one.
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    cleanup.push(() => db.end());
    const pingKey = (await db.query<{ ping_key: string }>(`select ping_key from ping_keys where tenant_id is null`)).rows[0]?.ping_key;
    if (!pingKey) throw new Error('no platform ping key');
    const started = performance.now();
    const { rows } = await db.query<{ id: string }>(
      `insert into checks (id, tenant_id, ping_key, name, slug, kind, timeout_s, grace_s, created_at, updated_at)
       select gen_random_uuid(), null, $1, 'mem-' || i, 'mem-' || i, 'simple', 86400, 3600, now(), now()
       from generate_series(1, $2::int) i
       returning id`,
      [pingKey, opts.checks],
    );
    const ids = rows.map((r) => r.id);
    const pinged = await pingEach(base, ids, 32);
    if (pinged !== ids.length) throw new Error(`only ${pinged} of ${ids.length} pings answered 200`);
    console.log(`  (${fmt(opts.checks)} checks inserted and each pinged once in ${fmt((performance.now() - started) / 1000, 1)} s)`);
    const withChecks = await quiet(pid, opts.settleS);
    line(`${fmt(opts.checks)} checks, each pinged once:`, withChecks, opts.settleS);

    if (opts.loadS > 0 && ids.length > 0) {
      const load = createLoad(opts.generator);
      cleanup.push(() => load.close());
      let loadPeak = 0;
      const sampler = setInterval(() => (loadPeak = Math.max(loadPeak, memoryOf(pid).rssMb)), 250);
      const summary = await load.run({ url: base, connections: opts.connections, durationS: opts.loadS, paths: ids.map((id) => `/ping/${id}`) });
      clearInterval(sampler);
      const ok = summary.statusCodes['200'] ?? 0;
      console.log(
        `  under ping load (${opts.connections} connections, ${opts.loadS} s, ${fmt(ok / summary.durationS)} pings/s): RSS up to ${fmt(loadPeak)} MB`,
      );
      line('after the load:', await quiet(pid, opts.settleS), opts.settleS);
    }
    console.log(`  peak over the run (VmHWM): ${fmt(memoryOf(pid).hwmMb)} MB`);
    const verdict = (mb: number, goal: number) => (mb < goal ? `met (< ${goal} MB)` : `MISSED (goal < ${goal} MB)`);
    console.log(`goals: idle ${verdict(idle.at10, GOAL_IDLE_MB)}; with ${fmt(opts.checks)} checks ${verdict(withChecks.at10, GOAL_CHECKS_MB)}`);
  } finally {
    await runCleanup(cleanup);
  }
}
