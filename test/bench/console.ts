/**
 * `npm run bench -- console [--requests 200] [--backend postgres|pglite]
 *                          [--checks 10000] [--pings 1000000] [--no-screenshots]`
 *
 * The operator console's pages at scale, server-rendered, over a real HTTP
 * server on loopback:
 *  - a fresh database (Postgres at DATABASE_URL, default the local server,
 *    created and dropped here; or PGlite in memory) with two tenants seeded
 *    set-based (support/console-seed.ts): the large one with 10,000 checks and
 *    1,000,000 pings, the baseline with 100 checks and 10,000 pings, alike in
 *    proportion (2 % down, 2 % late, 2 % paused, 2 % new; 5 % busy checks with
 *    1,000 pings each; tags, names, flips, bodies);
 *  - each tenant signs in as a browser does (POST /console/login with its
 *    key, the session cookie kept) and requests, one at a time, the overview,
 *    the checks list (first page, by state down and late, by tag, a name search,
 *    a page deep in the keyset pagination reached by following "Next page"),
 *    the busiest checks' pages (1,000 pings in the log) and a ping body;
 *  - the two tenants' requests and a bare hono route answering the overview's
 *    bytes through the same server helper alternate, so the machine's noise
 *    falls on all three alike.
 * Then, unless `--no-screenshots`, screenshots of the large tenant's overview
 * and busiest check (light and dark) go to docs/screenshots/.
 *
 * Goal (issue 16): p50 < 100 ms and p99 < 250 ms for every page at 10,000
 * checks and 1,000,000 pings on real Postgres.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { Hono } from 'hono';
import { sql } from 'kysely';
import { openPgliteInstance } from '../../src/db/connect.js';
import { listen, type Listening } from '../../src/http/server.js';
import { redactUrl } from '../../src/redact.js';
import { silentDeps } from '../support/quiet.js';
import { benchDatabase, type BenchDatabase } from './support/database.js';
import { deepPage, signIn, type ConsoleClient } from './support/console-client.js';
import { seedConsoleTenant, type Seeded } from './support/console-seed.js';
import { consoleScreenshots } from './support/console-shots.js';
import { fmt, percentile, runCleanup } from './support/load.js';
import { startBenchService } from './support/service.js';

const GOAL_P50_MS = 100;
const GOAL_P99_MS = 250;
/** How far the deep page is: page 151 holds checks 7,501 to 7,550 of 10,000. */
const DEEP_PAGES = 150;

interface Target {
  name: string;
  /** One path per request, cycled (the check pages go round the busiest checks). */
  paths: string[];
}

interface Tenant {
  label: string;
  client: ConsoleClient;
  seeded: Seeded;
  targets: Target[];
  deepPageNo: number;
}

async function targetsFor(client: ConsoleClient, seeded: Seeded): Promise<{ targets: Target[]; deepPageNo: number }> {
  const deep = await deepPage(client, '/console/checks', DEEP_PAGES);
  const withBody = seeded.busy.map((b) => `/console/checks/${b.id}/pings/${b.n_pings % 2 === 0 ? b.n_pings : b.n_pings - 1}/body`);
  return {
    deepPageNo: deep.page,
    targets: [
      { name: 'overview /console', paths: ['/console'] },
      { name: 'checks, first page', paths: ['/console/checks'] },
      { name: 'checks ?state=down', paths: ['/console/checks?state=down'] },
      { name: 'checks ?state=late', paths: ['/console/checks?state=late'] },
      { name: `checks ?tag=${seeded.tag}`, paths: [`/console/checks?tag=${seeded.tag}`] },
      { name: `checks ?q=${seeded.search}`, paths: [`/console/checks?q=${seeded.search}`] },
      { name: 'checks, deep page', paths: [deep.path] },
      { name: 'check page (busiest)', paths: seeded.busy.map((b) => `/console/checks/${b.id}`) },
      { name: 'ping body', paths: withBody },
    ],
  };
}

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? Number.NaN };
}

const ms = (n: number) => (n < 10 ? fmt(n, 1) : fmt(n)).padStart(5);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

export async function run(args: string[]): Promise<void> {
  const { values: o } = parseArgs({
    args,
    options: {
      requests: { type: 'string', default: '200' },
      backend: { type: 'string', default: 'postgres' },
      checks: { type: 'string', default: '10000' },
      pings: { type: 'string', default: '1000000' },
      'no-screenshots': { type: 'boolean', default: false },
    },
  });
  const requests = Number(o.requests);
  const size = { checks: Number(o.checks), pings: Number(o.pings) };
  const onPglite = o.backend === 'pglite';
  const cleanup: (() => Promise<void>)[] = [];
  let bench: BenchDatabase | undefined;
  let failed = false;
  try {
    let url = 'memory://';
    let database;
    if (onPglite) {
      const pglite = await PGlite.create();
      database = openPgliteInstance(pglite, silentDeps(), { location: 'memory://bench', onClose: () => pglite.close() });
      cleanup.push(() => database!.close());
    } else {
      bench = await benchDatabase();
      url = bench.url;
    }
    // The console shows at most 1,000 pings of a check; keep that many so the busiest pages are the worst case.
    const svc = await startBenchService(url, cleanup, { env: { PING_LOG_LIMIT: '1000', PUBLIC_URL: 'http://127.0.0.1' }, ...(database && { database }) });
    const { db } = svc.database;
    const admin = svc.report.generatedAdminKey;
    if (!admin) throw new Error('no admin key was generated (not a fresh database?)');
    const newTenant = async (slug: string) => {
      const res = await svc.overdue.app.request('/api/v1/tenants', {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ slug, name: slug, timezone: 'UTC', currency: 'EUR' }),
      });
      if (res.status !== 201) throw new Error(`create tenant: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string; api_key: string; ping_key: string };
    };

    const large = await newTenant('acme');
    const small = await newTenant('baseline');
    const now = new Date();
    let t0 = performance.now();
    const seededLarge = await seedConsoleTenant(db, { tenantId: large.id, pingKey: large.ping_key, checks: size.checks, pings: size.pings, busyPings: 1000, now });
    const seedMs = performance.now() - t0;
    const seededSmall = await seedConsoleTenant(db, { tenantId: small.id, pingKey: small.ping_key, checks: Math.round(size.checks / 100), pings: Math.round(size.pings / 100), busyPings: 1000, now });
    t0 = performance.now();
    // As a database in service would be: vacuumed (visibility map for index-only scans) and analyzed.
    for (const table of ['checks', 'pings', 'flips']) await sql`vacuum analyze ${sql.table(table)}`.execute(db);
    const vacuumMs = performance.now() - t0;

    const http: Listening = await listen(svc.overdue.app, { port: 0, host: '127.0.0.1' });
    cleanup.push(() => http.close(2000));
    const base = `http://127.0.0.1:${http.port}`;

    const tenants: Tenant[] = [];
    for (const [label, t, seeded] of [
      [`${fmt(seededLarge.checks)} checks`, large, seededLarge],
      [`${fmt(seededSmall.checks)} checks`, small, seededSmall],
    ] as const) {
      const client = await signIn(base, t.api_key);
      tenants.push({ label, client, seeded, ...(await targetsFor(client, seeded)) });
    }

    // The bare twin: the large overview's bytes through the same server helper, nothing else.
    const overviewHtml = await tenants[0]!.client.text('/console');
    const bareApp = new Hono().get('/bare', (c) => c.html(overviewHtml));
    const bare: Listening = await listen(bareApp, { port: 0, host: '127.0.0.1' });
    cleanup.push(() => bare.close(2000));
    const bareUrl = `http://127.0.0.1:${bare.port}/bare`;
    const bareGet = async () => {
      const start = performance.now();
      await (await fetch(bareUrl)).arrayBuffer();
      return performance.now() - start;
    };

    console.log(
      `console benchmark on ${onPglite ? 'PGlite (in memory)' : `Postgres ${redactUrl(url)}`}: ` +
        `${fmt(seededLarge.checks)} checks, ${fmt(seededLarge.pings)} pings, ${fmt(seededLarge.flips)} flips ` +
        `(seeded in ${fmt(seedMs / 1000, 1)} s, vacuum analyze ${fmt(vacuumMs / 1000, 1)} s); ` +
        `baseline tenant ${fmt(seededSmall.checks)} checks, ${fmt(seededSmall.pings)} pings; ` +
        `${requests} requests per page and tenant, one at a time; deep page = page ${tenants[0]!.deepPageNo} (baseline: page ${tenants[1]!.deepPageNo})`,
    );
    const loadBefore = load();

    // Warm-up: each path a few times (plans, JIT of the render code, the session row cached by Postgres).
    const targets = tenants[0]!.targets.map((t, i) => ({ name: t.name, of: tenants.map((x) => x.targets[i]!.paths) }));
    for (let r = 0; r < 5; r++) for (const t of targets) for (const [k, x] of tenants.entries()) await x.client.timedGet(t.of[k]![r % t.of[k]!.length]!);

    const times = targets.map(() => tenants.map(() => [] as number[]));
    const bytes = targets.map(() => tenants.map(() => 0));
    const bareMs: number[] = [];
    for (let r = 0; r < requests; r++) {
      for (const [i, t] of targets.entries()) {
        for (const [k, x] of tenants.entries()) {
          const paths = t.of[k]!;
          const got = await x.client.timedGet(paths[r % paths.length]!);
          times[i]![k]!.push(got.ms);
          bytes[i]![k] = got.bytes;
        }
        bareMs.push(await bareGet());
      }
    }
    const loadAfter = load();

    console.log('');
    console.log(`${'page'.padEnd(22)} | ${tenants[0]!.label.padEnd(13)}  p50   p95   p99   max | ${tenants[1]!.label.padEnd(10)} p50   p99 | body (large)`);
    let worst = { p50: 0, p99: 0 };
    for (const [i, t] of targets.entries()) {
      const a = stats(times[i]![0]!);
      const b = stats(times[i]![1]!);
      worst = { p50: Math.max(worst.p50, a.p50), p99: Math.max(worst.p99, a.p99) };
      const met = a.p50 < GOAL_P50_MS && a.p99 < GOAL_P99_MS;
      if (!met) failed = true;
      console.log(
        `${t.name.padEnd(22)} | ${' '.repeat(13)}${ms(a.p50)} ${ms(a.p95)} ${ms(a.p99)} ${ms(a.max)} | ${' '.repeat(10)}${ms(b.p50)} ${ms(b.p99)} | ` +
          `${fmt(bytes[i]![0]! / 1024)} KB${met ? '' : '  <- MISSED'}`,
      );
    }
    const bs = stats(bareMs);
    console.log(`${'bare route (overview)'.padEnd(22)} | ${' '.repeat(13)}${ms(bs.p50)} ${ms(bs.p95)} ${ms(bs.p99)} ${ms(bs.max)} | (the same bytes, no database, ${fmt(bareMs.length)} requests)`);
    console.log(
      `goal at ${tenants[0]!.label}: every page p50 < ${GOAL_P50_MS} ms and p99 < ${GOAL_P99_MS} ms: ` +
        `worst p50 ${ms(worst.p50).trim()} ms, worst p99 ${ms(worst.p99).trim()} ms -> ${failed ? 'MISSED' : 'met'}`,
    );
    console.log(`load average (1, 5, 15 min): before ${loadBefore}, after ${loadAfter}`);

    if (!o['no-screenshots']) {
      const written = await consoleScreenshots(base, large.api_key, seededLarge.busy[0]!.id);
      if (written.length) console.log(`screenshots: ${written.join(', ')}`);
    }
    console.log(failed ? 'FAIL' : 'PASS');
  } finally {
    // Newest first: HTTP servers, background work, database, telemetry.
    await runCleanup(cleanup);
    await bench?.drop();
  }
  if (failed) process.exitCode = 1;
}
