/**
 * `npm run bench -- status [--duration 10] [--connections 500] [--warmup 2]`
 *
 * The public status page against real Postgres (DATABASE_URL, default the
 * local server), on a fresh database:
 *  - starts the service and seeds its default page through the admin API:
 *    10 components (3 groups) with 90 days of uptime bars, 3 resolved
 *    incidents, 1 open incident and 1 scheduled maintenance;
 *  - in the same process, a bare hono route per document answering the same
 *    body (same bytes, same content type) through the same `listen` helper:
 *    the ceiling for this process and machine;
 *  - drives `GET /api/v2/summary.json` and `GET /` with wrk (or autocannon in
 *    a child process; `--generator`), over loopback, each after its bare twin, with the same
 *    connections and duration. No request sends If-None-Match, so every
 *    answer is a 200 with the full body from the page cache.
 *
 * Goal (issue): service/bare ≥ 0.5 and p99 < 20 ms, for each document.
 */
import { gzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { Hono } from 'hono';
import type { Database } from '../../src/db/database.js';
import { listen, type Listening } from '../../src/http/server.js';
import { redactUrl } from '../../src/redact.js';
import { benchDatabase } from './support/database.js';
import { codes, fmt, createLoad, ok200, parseLoadOptions, rate, runCleanup, withLoopBusy, type LoadSummary } from './support/load.js';
import { startBenchService } from './support/service.js';

const GOAL_RATIO = 0.5;
const GOAL_P99_MS = 20;
const DAY = 86_400_000;
const TARGETS = [
  { name: 'summary.json', path: '/api/v2/summary.json' },
  { name: 'status page /', path: '/' },
];


type Api = (method: string, path: string, body?: unknown) => Promise<any>;

/** The default page as a real one looks: groups, 90 days of history, incidents past and present, maintenance ahead. */
async function seedPage(api: Api, db: Kysely<Database>, now: Date) {
  const groups: Record<string, string[]> = {
    Core: ['API', 'Webhooks', 'Dashboard'],
    Billing: ['Invoice generation', 'Payments'],
    Heartbeats: ['Ping intake', 'Alerting'],
  };
  const leaves: { id: string; name: string }[] = [];
  for (const [group, children] of Object.entries(groups)) {
    const g = await api('POST', '/api/v1/components', { name: group, group: true, description: `${group} services` });
    for (const name of children) leaves.push(await api('POST', '/api/v1/components', { name, group_id: g.id, description: `${name} for every tenant` }));
  }
  const id = (name: string) => leaves.find((l) => l.name === name)!.id;

  for (const [k, name] of ['Webhooks', 'Payments', 'Ping intake'].entries()) {
    const i = await api('POST', '/api/v1/incidents', {
      name: `${name} delayed`,
      status: 'investigating',
      body: `We are investigating delays in **${name}**.\n\n- started after a deploy\n- no data lost`,
      components: { [id(name)]: k === 1 ? 'partial_outage' : 'degraded_performance' },
    });
    await api('POST', `/api/v1/incidents/${i.id}/updates`, { status: 'identified', body: 'The cause is a slow query; a fix is being deployed.' });
    await api('POST', `/api/v1/incidents/${i.id}/updates`, { status: 'resolved', body: 'Resolved: the fix is deployed and the backlog is processed.' });
  }
  const open = await api('POST', '/api/v1/incidents', {
    name: 'Slow API responses',
    status: 'identified',
    impact: 'major',
    body: 'A database index is missing after the **02:00** migration.',
    components: { [id('API')]: 'degraded_performance' },
  });
  await api('POST', `/api/v1/incidents/${open.id}/updates`, { status: 'identified', body: 'The index is being rebuilt; response times are improving. [Details](https://example.com/incident).' });
  await api('POST', '/api/v1/maintenances', {
    name: 'Database upgrade',
    body: 'Postgres is upgraded to the next minor release. Short interruptions are possible.',
    scheduled_for: new Date(now.getTime() + 2 * DAY).toISOString(),
    scheduled_until: new Date(now.getTime() + 2 * DAY + 2 * 3_600_000).toISOString(),
    components: [id('Invoice generation'), id('Payments')],
  });

  // 90 days of bars: the components existed for 100 days, with a few past outages in the log.
  await sql`update components set created_at = created_at - interval '100 days'`.execute(db);
  await sql`update component_status_log set at = at - interval '100 days' where id in (select min(id) from component_status_log group by component_id)`.execute(db);
  for (const [k, leaf] of leaves.entries()) {
    const start = now.getTime() - (10 + 7 * k) * DAY;
    await sql`insert into component_status_log (component_id, status, at) values
      (${leaf.id}, ${k % 2 ? 'partial_outage' : 'degraded_performance'}, ${new Date(start)}),
      (${leaf.id}, 'operational', ${new Date(start + (1 + k) * 3_600_000)})`.execute(db);
  }
  // A write through the API bumps the page version, so the cache renders what is now in the database.
  const page = (await api('GET', '/api/v1/pages')).data.find((p: { slug: string }) => p.slug === 'default');
  await api('PATCH', `/api/v1/pages/${page.id}`, { name: 'Acme' });
  return { components: leaves.length + Object.keys(groups).length, groups: Object.keys(groups).length };
}

interface Run {
  name: string;
  size: number;
  service: LoadSummary;
  bare: LoadSummary;
  serviceLoopBusy: number;
  bareLoopBusy: number;
}

export async function run(args: string[]): Promise<void> {
  const parsed = parseLoadOptions(args, { connections: '500' });
  // One connection count per run here (the first given).
  const opts = { ...parsed, connections: parsed.connections[0]! };
  const bench = await benchDatabase();
  const cleanup: (() => Promise<void>)[] = [];
  let failed = false;
  try {
    const { database, overdue, report } = await startBenchService(bench.url, cleanup);
    const admin = report.generatedAdminKey;
    if (!admin) throw new Error('no admin key was generated (not a fresh database?)');
    const api: Api = async (method, path, body) => {
      const res = await overdue.app.request(path, {
        method,
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const out = res.status === 204 ? null : await res.json();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(out)}`);
      return out;
    };
    const seeded = await seedPage(api, database.db, new Date());

    const service: Listening = await listen(overdue.app, { port: 0, host: '127.0.0.1' });
    cleanup.push(() => service.close(2000));
    const serviceUrl = `http://127.0.0.1:${service.port}`;

    // The bare twin of each document: the same bytes and content type, nothing else.
    const bareApp = new Hono();
    const docs: { name: string; path: string; size: number; gzipSize: number; etag: string }[] = [];
    for (const t of TARGETS) {
      const res = await fetch(`${serviceUrl}${t.path}`);
      const body = await res.text();
      const type = res.headers.get('content-type')!;
      if (res.status !== 200 || !res.headers.get('etag')) throw new Error(`${t.path}: ${res.status}, ETag ${res.headers.get('etag')}`);
      bareApp.get(t.path, (c) => c.body(body, 200, { 'Content-Type': type }));
      docs.push({ ...t, size: Buffer.byteLength(body), gzipSize: gzipSync(body).length, etag: res.headers.get('etag')! });
    }
    const summary = JSON.parse(await (await fetch(`${serviceUrl}/api/v2/summary.json`)).text());
    const bare: Listening = await listen(bareApp, { port: 0, host: '127.0.0.1' });
    cleanup.push(() => bare.close(2000));
    const bareUrl = `http://127.0.0.1:${bare.port}`;

    const load = createLoad(opts.generator);
    cleanup.push(() => load.close());

    console.log(
      `status benchmark: Postgres ${redactUrl(bench.url)}, page of ${seeded.components} components (${seeded.groups} groups), ` +
        `${summary.incidents.length} open incident, ${summary.scheduled_maintenances.length} scheduled maintenance (${summary.status.description}); ` +
        `${opts.connections} connections, ${opts.durationS} s per run, load from ${opts.generator}`,
    );
    console.log(`documents: ${docs.map((d) => `${d.path} ${fmt(d.size)} B (gzip ${fmt(d.gzipSize)} B)`).join(', ')}`);

    if (opts.warmupS > 0) {
      process.stdout.write(`warming up (${opts.warmupS} s each)…\n`);
      for (const d of docs) {
        await load.run({ url: `${bareUrl}${d.path}`, connections: opts.connections, durationS: opts.warmupS });
        await load.run({ url: `${serviceUrl}${d.path}`, connections: opts.connections, durationS: opts.warmupS });
      }
    }

    const runs: Run[] = [];
    for (const d of docs) {
      await sleep(300);
      const [bareResult, bareLoopBusy] = await withLoopBusy(() => load.run({ url: `${bareUrl}${d.path}`, connections: opts.connections, durationS: opts.durationS }));
      await sleep(300);
      const [serviceResult, serviceLoopBusy] = await withLoopBusy(() => load.run({ url: `${serviceUrl}${d.path}`, connections: opts.connections, durationS: opts.durationS }));
      runs.push({ name: d.name, size: d.size, service: serviceResult, bare: bareResult, serviceLoopBusy, bareLoopBusy });
    }

    // Still the same document: nothing was re-rendered mid-run.
    for (const d of docs) {
      const etag = (await fetch(`${serviceUrl}${d.path}`)).headers.get('etag');
      if (etag !== d.etag) console.log(`note: ${d.path} changed during the run (ETag ${d.etag} → ${etag})`);
    }

    console.log('');
    const pad = ' '.repeat(15);
    for (const r of runs) {
      const ratio = rate(r.service) / rate(r.bare);
      const l = r.service.latencyMs;
      const p99Met = l.p99 < GOAL_P99_MS;
      const ratioMet = ratio >= GOAL_RATIO;
      const clean = codes(r.service) === '';
      if (!p99Met || !ratioMet || !clean) failed = true;
      console.log(
        `${r.name.padEnd(13)}: ${fmt(rate(r.service)).padStart(6)} req/s  p50 ${fmt(l.p50)} ms  p99 ${fmt(l.p99)} ms | ` +
          `bare ${fmt(rate(r.bare)).padStart(6)} req/s  p50 ${fmt(r.bare.latencyMs.p50)} ms  p99 ${fmt(r.bare.latencyMs.p99)} ms | ` +
          `ratio ${fmt(ratio, 2)} (≥ ${GOAL_RATIO}: ${ratioMet ? 'met' : 'MISSED'}), p99 < ${GOAL_P99_MS} ms: ${p99Met ? 'met' : 'MISSED'} -> ${p99Met && ratioMet && clean ? 'PASS' : 'FAIL'}`,
      );
      const notes = [
        `body ${fmt(r.size)} B, ${fmt(r.service.bytes / Math.max(1, ok200(r.service) + r.service.errors))} B per response with headers`,
        `max ${fmt(l.max)} ms (bare ${fmt(r.bare.latencyMs.max)} ms)`,
        `event loop busy ${fmt(r.serviceLoopBusy * 100)}% (service) / ${fmt(r.bareLoopBusy * 100)}% (bare)`,
        codes(r.service) && `service also got ${codes(r.service)}`,
        codes(r.bare) && `bare also got ${codes(r.bare)}`,
      ].filter(Boolean);
      console.log(`${pad}(${notes.join('; ')})`);
    }
    console.log(failed ? 'FAIL' : 'PASS');
  } finally {
    // Newest first: load generator, HTTP, background work, database, telemetry.
    await runCleanup(cleanup);
    await bench.drop();
  }
  if (failed) process.exitCode = 1;
}
