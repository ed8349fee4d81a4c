import { randomBytes } from 'node:crypto';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiClient, created } from '../support/http.js';
import { drivenOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { onPostgres, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { runScript, type RunningProcess } from '../support/process.js';
import { perTestResources } from '../support/resources.js';

/**
 * Issue 20: a Postgres restart under load killed the process with an
 * unhandled 'error' event on a checked-out pg Client (FATAL 57P01). These
 * tests cut the service's connections with pg_terminate_backend — the same
 * FATAL 57P01 "terminating connection due to administrator command" a
 * restart sends — while pings, a scheduler job and the delivery worker are
 * mid-work, and check that the process survives, recovers, and neither loses
 * nor invents work.
 */
const SKIP_REASON = 'PGlite is one in-process session: there is no server backend to terminate';

/** A separate connection that terminates every other client backend of the database. */
async function terminator(url: string) {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  return {
    client,
    /** Terminates every client backend of this database except ours and `spare`; returns how many. */
    async terminate(spare: number[] = []): Promise<number> {
      const { rows } = await client.query<{ n: number }>(
        `select count(*) filter (where pg_terminate_backend(pid))::int as n
         from pg_stat_activity
         where datname = current_database() and backend_type = 'client backend'
           and pid <> pg_backend_pid() and pid <> all($1::int[])`,
        [spare],
      );
      return rows[0]!.n;
    },
    /** Backends of this database waiting for a lock (not counting ours). */
    async lockWaiters(): Promise<number> {
      const { rows } = await client.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity
         where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
      );
      return rows[0]!.n;
    },
    end: () => client.end(),
  };
}

/**
 * GET with a keep-alive agent; resolves with the status. The socket timeout catches hung requests.
 * The user agent is stored with the ping, so each request can be told apart in the pings table.
 */
function get(agent: Agent, url: string, timeoutMs: number, userAgent = 'chaos'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, timeout: timeoutMs, headers: { 'user-agent': userAgent } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(!onPostgres)(`chaos: the service's Postgres connections are terminated mid-work${onPostgres ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  const resources = perTestResources();

  // An 'error' event nobody listens to surfaces here (vitest also reports it and fails the run);
  // each test asserts that none arrived while it ran, so the failure names the test.
  const uncaught: unknown[] = [];
  const record = (err: unknown) => void uncaught.push(err);
  beforeAll(() => {
    process.on('uncaughtException', record);
    process.on('unhandledRejection', record);
  });
  afterAll(() => {
    process.off('uncaughtException', record);
    process.off('unhandledRejection', record);
  });
  afterEach(() => void uncaught.splice(0));
  const uncaughtMessages = () => uncaught.map((e) => `${(e as Error)?.name}: ${(e as Error)?.message ?? String(e)}`);

  it('pings from 50 clients while the service process loses its connections 5 times: it stays up, recovers within seconds, acknowledged = stored', { timeout: 45_000 }, async () => {
    const t = await resources.database();
    const adminKey = `chaos-admin-${randomBytes(16).toString('hex')}`;
    const p: RunningProcess = runScript('src/main.ts', {
      DATABASE_URL: t.url!,
      PORT: '0',
      OVERDUE_ADMIN_KEY: adminKey,
      LOG_LEVEL: 'warn',
      PING_LOG_LIMIT: '100000', // keep every ping, so the pings table can be counted too
      SHUTDOWN_TIMEOUT: '2',
    });
    const alive = () => p.child.exitCode === null && p.child.signalCode === null;
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    const kill = await terminator(t.url!);
    try {
      const [, port] = await p.waitFor(/Overdue is running at http:\/\/localhost:(\d+)/);
      const base = `http://127.0.0.1:${port}`;

      const checks: string[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${base}/api/v3/checks/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': adminKey },
          body: JSON.stringify({ name: `chaos-${i}`, timeout: 3600, grace: 3600 }),
        });
        expect(res.status).toBe(201);
        checks.push(((await res.json()) as { uuid: string }).uuid);
      }

      const CLIENTS = 50;
      const LOAD_MS = 10_000;
      const KILL_EVERY_MS = 1_500;
      const KILLS = 5;
      const acks = new Map(checks.map((id) => [id, 0]));
      // Every request has its own user agent (stored with the ping): which were acknowledged, which not.
      const acked = new Set<string>();
      const unacked = new Set<string>();
      const statuses = new Map<number, number>();
      const failures = { connection: 0, timeouts: 0, samples: [] as string[] };
      const kills: { at: number; backends: number; recoveredAt?: number }[] = [];
      let requests = 0;
      let slowestMs = 0;
      const started = Date.now();
      const stopAt = started + LOAD_MS;

      const client = async (n: number) => {
        const check = checks[n % checks.length]!;
        for (let seq = 0; Date.now() < stopAt && alive(); seq++) {
          const sent = Date.now();
          const ua = `chaos/${n}/${seq}`;
          requests++;
          unacked.add(ua);
          try {
            const status = await get(agent, `${base}/ping/${check}`, 10_000, ua);
            const took = Date.now() - sent;
            if (took > slowestMs) slowestMs = took;
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            if (status === 200) {
              acks.set(check, acks.get(check)! + 1);
              unacked.delete(ua);
              acked.add(ua);
              for (const k of kills) if (k.recoveredAt === undefined && sent >= k.at) k.recoveredAt = Date.now();
            } else if (status === 503) {
              await sleep(20); // a real client would back off (Retry-After); keep the loop from spinning
            }
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'TIMEOUT') failures.timeouts++;
            else failures.connection++;
            if (failures.samples.length < 5) failures.samples.push(String((err as Error).message));
            await sleep(50);
          }
        }
      };
      const load = Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));

      for (let k = 0; k < KILLS && alive(); k++) {
        await sleep(started + KILL_EVERY_MS * (k + 1) - Date.now());
        if (!alive()) break;
        kills.push({ at: Date.now(), backends: await kill.terminate() });
      }
      await load;

      const stayedUp = alive();
      // After the load: one more ping must be acknowledged (counted like the others).
      let finalStatus: number | string = 'not sent';
      if (stayedUp) {
        try {
          finalStatus = await get(agent, `${base}/ping/${checks[0]}`, 10_000, 'chaos/final');
          if (finalStatus === 200) {
            acks.set(checks[0]!, acks.get(checks[0]!)! + 1);
            acked.add('chaos/final');
          } else unacked.add('chaos/final');
        } catch (err) {
          finalStatus = String((err as Error).message);
        }
      }

      const stored = new Map(
        (await sql<{ id: string; n_pings: string; rows: string }>`
          select c.id, c.n_pings::text, (select count(*) from pings p where p.check_id = c.id)::text as rows
          from checks c where c.id = any(${checks}::uuid[])`.execute(t.db)).rows.map((r) => [r.id, { nPings: Number(r.n_pings), rows: Number(r.rows) }]),
      );
      const copies = new Map(
        (await sql<{ ua: string; n: number }>`
          select ua, count(*)::int as n from pings where check_id = any(${checks}::uuid[]) group by ua`.execute(t.db)).rows.map((r) => [r.ua, r.n]),
      );
      const storedTwice = [...copies].filter(([, n]) => n > 1);
      const ackedMissing = [...acked].filter((ua) => !copies.has(ua));
      const storedUnacked = [...unacked].filter((ua) => copies.has(ua));
      const recoveries = kills.map((k) => (k.recoveredAt === undefined ? null : k.recoveredAt - k.at));
      const ackedTotal = [...acks.values()].reduce((a, b) => a + b, 0);
      const storedTotal = [...stored.values()].reduce((a, s) => a + s.rows, 0);
      const logLines = (msg: string) => p.stdout().split('\n').filter((l) => l.includes(`"msg":"${msg}`));
      const logged = (msg: string) => logLines(msg).length;
      const batchErrors = new Set(logLines('ping batch failed').map((l) => String((JSON.parse(l) as { err?: { message?: string } }).err?.message)));
      console.log(
        `[chaos pings] ${Math.round((Date.now() - started) / 1000)} s, ${CLIENTS} clients, ${requests} requests: ` +
          `${ackedTotal} acknowledged (200), ${storedTotal} stored (${storedTwice.length} requests stored more than once ` +
          `[${storedTwice.filter(([ua]) => acked.has(ua)).length} of them acknowledged, ${storedTwice.reduce((a, [, n]) => a + n - 1, 0)} extra rows], ` +
          `${storedUnacked.length} stored without a 200, ${ackedMissing.length} acknowledged but missing), ` +
          `statuses ${JSON.stringify(Object.fromEntries(statuses))}, ` +
          `intake log: ${logged('ping batch failed')} batches retried ping by ping (${[...batchErrors].join(' | ')}), ${logged('ping could not be stored')} 'ping could not be stored' lines; ` +
          `connection errors ${failures.connection}, timeouts ${failures.timeouts}, slowest answer ${slowestMs} ms; ` +
          `terminations ${kills.length} (backends ${kills.map((k) => k.backends).join('/')}), recovery ms ${JSON.stringify(recoveries)}; ` +
          `process ${stayedUp ? 'up' : `exited (${p.child.exitCode ?? p.child.signalCode})`}`,
      );

      const stderr = p.stderr();
      expect.soft(stderr, 'the process printed an unhandled error').not.toMatch(/Unhandled 'error' event|uncaught/i);
      expect(stayedUp, `the service process exited (${p.child.exitCode ?? p.child.signalCode}); stderr:\n${stderr.slice(-3000)}`).toBe(true);
      expect.soft(kills).toHaveLength(KILLS);
      expect.soft(kills.every((k) => k.backends > 0), 'each termination found service backends to kill').toBe(true);
      // Recovery: after each termination a ping sent afterwards is acknowledged within seconds.
      for (const [i, ms] of recoveries.entries()) expect.soft(ms, `recovery after termination ${i + 1}`).not.toBeNull();
      expect.soft(Math.max(...recoveries.map((ms) => ms ?? Infinity)), 'slowest recovery (ms)').toBeLessThan(5_000);
      expect.soft(finalStatus, 'a ping after the chaos').toBe(200);
      // Answers are 200 or 503 (nothing stored, retry); no request hangs; the server never drops connections.
      expect.soft([...statuses.keys()].filter((s) => s !== 200 && s !== 503), 'unexpected statuses').toEqual([]);
      expect.soft(failures.timeouts, 'pings that got no answer within 10 s').toBe(0);
      expect.soft(failures.connection, `connection errors (${failures.samples.join('; ')})`).toBeLessThanOrEqual(Math.ceil(requests / 1000));
      expect.soft(ackedTotal, 'pings acknowledged').toBeGreaterThan(500);
      // Acknowledged = stored, request by request: each 200 stored exactly once, nothing else stored.
      expect.soft(ackedMissing, 'acknowledged pings that were not stored').toEqual([]);
      expect.soft(storedTwice.slice(0, 10), `requests stored more than once (${storedTwice.length}; first 10 shown)`).toEqual([]);
      expect.soft(storedUnacked.slice(0, 10), `requests stored without a 200 (${storedUnacked.length}; first 10 shown)`).toEqual([]);
      // And per check: the check's counter and its stored rows.
      for (const id of checks) {
        expect.soft(stored.get(id), `check ${id}: ${acks.get(id)} acknowledged`).toEqual({ nPings: acks.get(id), rows: acks.get(id) });
      }
    } finally {
      if (alive()) p.child.kill('SIGTERM');
      await Promise.race([p.exited, sleep(5_000)]);
      if (alive()) p.child.kill('SIGKILL');
      agent.destroy();
      await kill.end();
    }
  });

  it('a scheduler job whose connection is terminated mid-transaction: no crash, the run is recorded failed and retried, then the slot completes exactly once', async () => {
    const t = await resources.database();
    await sql`create table chaos_job_work (slot timestamptz primary key, attempt int not null, done boolean not null default false)`.execute(t.db);
    const clock = new ManualClock('2026-04-01T10:00:30Z');
    const attempts: number[] = [];
    let inside!: () => void;
    const reachedGate = new Promise<void>((r) => (inside = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const o = resources.track(
      await drivenOverdue({
        database: t,
        clock,
        jobs: [
          {
            key: 'chaos-job',
            schedule: { cron: '0 * * * *', tz: 'UTC' },
            catchUp: 'all',
            maxRunS: 600,
            maxAttempts: 3,
            // Idempotent per slot; on the first attempt it waits, inside its transaction, for the test to cut the connection.
            handler: async (ctx) => {
              attempts.push(ctx.attempt);
              await t.db.transaction().execute(async (trx) => {
                await sql`insert into chaos_job_work (slot, attempt) values (${ctx.slot}, ${ctx.attempt})`.execute(trx);
                if (ctx.attempt === 1) {
                  inside();
                  await gate;
                }
                await sql`update chaos_job_work set done = true where slot = ${ctx.slot}`.execute(trx);
              });
            },
          },
        ],
      }),
    );
    const kill = await terminator(t.url!);
    const slot = new Date('2026-04-01T11:00:00Z');
    const run = () => t.db.selectFrom('job_runs').selectAll().where('job_key', '=', 'chaos-job').where('slot_at', '=', slot).executeTakeFirstOrThrow();
    try {
      await clock.jump(slot);
      await o.scheduler.tick();
      await reachedGate; // the handler holds a checked-out client, idle in its transaction
      const backends = await kill.terminate();
      expect(backends).toBeGreaterThan(0);
      await sleep(200); // let the FATAL and the socket close arrive while the client is still checked out
      release();
      await o.scheduler.idle();
      await o.heartbeats.intake.drained();

      // The first attempt failed on the lost connection and is waiting for its retry.
      const failed = await run();
      expect.soft(failed).toMatchObject({ state: 'pending', attempt: 1 });
      expect.soft(failed.error ?? '').toMatch(/terminat|not queryable|Connection/i);
      expect.soft(o.logs.some((l) => l.msg === 'job run failed' && l.job === 'chaos-job' && l.outcome === 'failed')).toBe(true);
      expect.soft((await sql<{ n: number }>`select count(*)::int as n from chaos_job_work`.execute(t.db)).rows[0]!.n, 'the first attempt rolled back').toBe(0);

      // After the retry backoff (30 s for attempt 1) the slot runs again on fresh connections.
      await clock.jump(new Date(slot.getTime() + 31_000));
      await o.scheduler.tick();
      await o.scheduler.idle();
      expect.soft(await run()).toMatchObject({ state: 'succeeded', attempt: 2, error: null });

      // Nothing more for that slot.
      await clock.jump(new Date(slot.getTime() + 10 * 60_000));
      await o.scheduler.tick();
      await o.scheduler.idle();
      expect.soft(attempts).toEqual([1, 2]);
      const work = (await sql<{ slot: Date; attempt: number; done: boolean }>`select * from chaos_job_work`.execute(t.db)).rows;
      expect.soft(work).toEqual([{ slot, attempt: 2, done: true }]);
      console.log(`[chaos scheduler] backends terminated ${backends}; attempts ${JSON.stringify(attempts)}; first error: ${String(failed.error).split('\n')[0]}`);
      expect(uncaughtMessages(), 'uncaught errors while the job ran').toEqual([]);
    } finally {
      release();
      await kill.end();
    }
  });

  it('the delivery worker losing its connection while recording a sent webhook: no crash, and the delivery ends sent, at most once more (same webhook-id)', async () => {
    const t = await resources.database();
    // A receiver that holds each request until the test lets it answer 200.
    const seen: string[] = [];
    let onRequest: () => Promise<void> = async () => undefined;
    const server: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        seen.push(String(req.headers['webhook-id']));
        void onRequest().then(() => res.writeHead(200).end('ok'));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const kill = await terminator(t.url!);
    const locker = new pg.Client({ connectionString: t.url! });
    locker.on('error', () => undefined);
    await locker.connect();
    const lockerPid = (await locker.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    try {
      const clock = new ManualClock(new Date());
      const o = resources.track(await drivenOverdue({ database: t, clock, env: { WEBHOOK_ALLOW_PRIVATE: '127.0.0.1' } }));
      const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
      const api = apiClient(o, () => admin);
      await created(api, '/api/v1/pages', { slug: 'chaos', name: 'Chaos' });
      const hook = (await created(api, '/api/v1/pages/chaos/webhooks', { url: `http://127.0.0.1:${port}/hook` })) as { id: string };
      await created(api, '/api/v1/incidents', { page: 'chaos', name: 'Database restarting', status: 'investigating', impact: 'major', body: 'Looking.' });
      await o.fanOut();
      const deliveries = () => t.db.selectFrom('deliveries').selectAll().where('subscriber_id', '=', hook.id).execute();
      const [delivery] = await deliveries();
      expect(delivery).toBeDefined();

      // First request: before answering, lock the delivery row from another session, so the worker's
      // "sent" update waits on it with its client checked out; then cut the worker's connections.
      let backends = 0;
      onRequest = async () => {
        onRequest = async () => undefined;
        await locker.query('begin');
        await locker.query('select id from deliveries where id = $1 for update', [delivery!.id]);
      };
      const firstTick = o.deliveries.tick().then(
        (n) => ({ ok: true as const, n }),
        (err: Error) => ({ ok: false as const, err }),
      );
      await vi.waitFor(async () => expect(await kill.lockWaiters()).toBeGreaterThan(0), { timeout: 10_000, interval: 20 });
      backends = await kill.terminate([lockerPid]);
      await sleep(200);
      await locker.query('rollback');
      const first = await firstTick;

      // The outcome was never recorded: the row is still leased to that attempt.
      expect.soft((await deliveries())[0]).toMatchObject({ state: 'sending', attempts: 1 });

      // After the lease (60 s) the worker sends it again, with the same webhook-id, and records it.
      await clock.jump(new Date(clock.now().getTime() + 61_000));
      expect.soft(await o.deliveries.tick()).toBe(1);
      expect.soft(await o.deliveries.tick()).toBe(0);
      const [final] = await deliveries();
      expect.soft(final).toMatchObject({ state: 'sent', attempts: 2 });
      expect.soft(seen, 'requests the receiver got (webhook-id each)').toEqual([delivery!.id, delivery!.id]);
      console.log(
        `[chaos deliveries] backends terminated ${backends}; first tick ${first.ok ? `resolved (${first.n})` : `rejected: ${first.err.message}`}; ` +
          `receiver got ${seen.length} requests; final state ${final?.state} after ${final?.attempts} attempts`,
      );
      expect(uncaughtMessages(), 'uncaught errors while the worker ran').toEqual([]);
    } finally {
      await locker.end().catch(() => undefined);
      await kill.end();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
