/**
 * The parent side of the load generator (support/load-child.ts) and the
 * figures the HTTP benchmarks print from its summaries.
 */
import { parseArgs } from 'node:util';
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import type { LoadJob, LoadReply, LoadSummary } from './load-child.js';
import { WrkLoad } from './wrk.js';

export type { LoadSummary } from './load-child.js';

/** What drives the HTTP benchmarks: wrk when it is installed (far cheaper per request), else autocannon. */
export interface Load {
  run(job: Omit<LoadJob, 'id'>): Promise<LoadSummary>;
  close(): Promise<void>;
}

export type GeneratorName = 'wrk' | 'autocannon';

export function createLoad(name: GeneratorName): Load {
  return name === 'wrk' ? new WrkLoad() : new AutocannonLoad();
}

function wrkInstalled(): boolean {
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
}

/** One autocannon child process, reused for every run. */
export class AutocannonLoad implements Load {
  #child: ChildProcess;
  #nextId = 1;
  #waiting = new Map<number, { resolve: (s: LoadSummary) => void; reject: (e: Error) => void }>();

  constructor() {
    const entry = fileURLToPath(new URL('./load-child.ts', import.meta.url));
    this.#child = fork(entry, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#child.on('message', (reply: LoadReply) => {
      const w = this.#waiting.get(reply.id);
      if (!w) return;
      this.#waiting.delete(reply.id);
      if ('error' in reply) w.reject(new Error(`load generator failed: ${reply.error}`));
      else w.resolve(reply.summary);
    });
    this.#child.on('exit', (code) => {
      for (const w of this.#waiting.values()) w.reject(new Error(`load generator exited (${code})`));
      this.#waiting.clear();
    });
  }

  run(job: Omit<LoadJob, 'id'>): Promise<LoadSummary> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#child.send({ ...job, id } satisfies LoadJob);
    });
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.#child.once('exit', () => r()));
    this.#child.disconnect();
    await exited;
  }
}

/** Runs `fn` and measures how busy this process's event loop was meanwhile. */
export async function withLoopBusy<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.eventLoopUtilization();
  const result = await fn();
  return [result, performance.eventLoopUtilization(start).utilization];
}

/** The p-th percentile of sorted values (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const ok200 = (s: LoadSummary) => s.statusCodes['200'] ?? 0;
/** 200 responses per second. */
export const rate = (s: LoadSummary) => ok200(s) / s.durationS;
/** Everything that was not a 200: other status codes, errors, timeouts ('' if none). */
export const codes = (s: LoadSummary) =>
  Object.entries(s.statusCodes)
    .filter(([c]) => c !== '200')
    .map(([c, n]) => `${c}×${n}`)
    .concat(s.errors ? [`errors×${s.errors}`] : [], s.timeouts ? [`timeouts×${s.timeouts}`] : [])
    .join(' ');

export interface LoadOptions {
  durationS: number;
  /** One load run per entry. */
  connections: number[];
  warmupS: number;
  generator: GeneratorName;
}

/** `--duration 10 --connections 100,500 --warmup 2 [--generator wrk|autocannon]`, validated. */
export function parseLoadOptions(args: string[], defaults: { connections: string }): LoadOptions {
  const { values } = parseArgs({
    args,
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: defaults.connections },
      warmup: { type: 'string', default: '2' },
      generator: { type: 'string' },
    },
    strict: true,
  });
  const durationS = Number(values.duration);
  const warmupS = Number(values.warmup);
  const connections = values.connections.split(',').map((s) => Number(s.trim()));
  if (!Number.isInteger(durationS) || durationS < 1) throw new Error(`--duration: expected whole seconds ≥ 1, got ${values.duration}`);
  if (!Number.isInteger(warmupS) || warmupS < 0) throw new Error(`--warmup: expected whole seconds ≥ 0, got ${values.warmup}`);
  if (connections.length === 0 || connections.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`--connections: expected a list like 100,500, got ${values.connections}`);
  }
  const generator = values.generator ?? (wrkInstalled() ? 'wrk' : 'autocannon');
  if (generator !== 'wrk' && generator !== 'autocannon') throw new Error(`--generator: expected wrk or autocannon, got ${generator}`);
  return { durationS, connections, warmupS, generator };
}

/** Runs cleanup steps newest first; a failing step is reported and the rest still run. */
export async function runCleanup(steps: (() => Promise<void>)[]): Promise<void> {
  for (const step of [...steps].reverse()) {
    try {
      await step();
    } catch (err) {
      console.error(`cleanup: ${(err as Error)?.message ?? String(err)}`);
    }
  }
}
