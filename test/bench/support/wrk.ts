/**
 * The load generator on wrk (Debian's `wrk`, written in C): for the same
 * requests it needs a fraction of autocannon's CPU, which on a 2-core machine
 * is CPU taken from the server and the database being measured.
 *
 * One wrk process per run. A generated Lua script cycles through the paths,
 * counts every response by status code, and prints the summary as one JSON
 * line at the end. wrk cannot tell which request a response answers, so it
 * reports no per-path counts (`okByPath`); the pings benchmark counts those on
 * the server side.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadJob, LoadSummary } from './load-child.js';

const MARK = 'WRK-SUMMARY ';

function luaString(s: string): string {
  return JSON.stringify(s); // paths are ASCII; JSON escapes are valid Lua escapes for these
}

function script(paths: string[] | undefined): string {
  const cycle = paths && paths.length > 0
    ? `local paths = { ${paths.map(luaString).join(', ')} }
local next_index = 0
-- each thread starts at its own place in the cycle (\`id\` is set by setup)
function init(args) next_index = ((id or 0) * 131) % #paths end
function request()
  next_index = next_index % #paths + 1
  return wrk.format(nil, paths[next_index])
end
`
    : '';
  return `${cycle}
statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local codes = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do
      codes[#codes + 1] = string.format('"%d":%d', code, n)
    end
  end
  local e = summary.errors
  io.write(string.format(
    '${MARK}{"duration_us":%d,"requests":%d,"bytes":%d,"codes":{%s},"connect":%d,"read":%d,"write":%d,"timeout":%d,' ..
    '"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%f}\\n',
    summary.duration, summary.requests, summary.bytes, table.concat(codes, ","), e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
`;
}

interface WrkReport {
  duration_us: number;
  requests: number;
  bytes: number;
  codes: Record<string, number>;
  connect: number;
  read: number;
  write: number;
  timeout: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export class WrkLoad {
  readonly #dir = mkdtempSync(join(tmpdir(), 'overdue-wrk-'));
  #runs = 0;

  constructor(private readonly threads = 1) {}

  async run(job: Omit<LoadJob, 'id'>): Promise<LoadSummary> {
    const file = join(this.#dir, `run-${this.#runs++}.lua`);
    writeFileSync(file, script(job.paths));
    const threads = Math.min(this.threads, job.connections);
    const args = ['-t', String(threads), '-c', String(job.connections), '-d', `${job.durationS}s`, '--timeout', '10s', '-s', file, job.url];
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}: ${text}`))));
    });
    const line = out.split('\n').find((l) => l.startsWith(MARK));
    if (!line) throw new Error(`wrk printed no summary:\n${out}`);
    const r = JSON.parse(line.slice(MARK.length)) as WrkReport;
    const ms = (us: number) => us / 1000;
    return {
      durationS: r.duration_us / 1e6,
      statusCodes: r.codes,
      errors: r.connect + r.read + r.write,
      timeouts: r.timeout,
      bytes: r.bytes,
      latencyMs: { p50: ms(r.p50), p90: ms(r.p90), p99: ms(r.p99), max: ms(r.max), mean: ms(r.mean) },
    };
  }

  async close(): Promise<void> {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
