import { readFileSync } from 'node:fs';
import type pg from 'pg';

/** Linux reports process CPU in USER_HZ ticks, 100 per second on every common build. */
const TICKS_PER_SECOND = 100;

function cpuTicks(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds spent by the server processes serving database `dbName`, when
 * the server runs on this machine and its /proc entries are readable;
 * `undefined` otherwise (a remote server). Call `start()` before the work and
 * `seconds()` after it, while the connections are still open.
 */
export function postgresCpu(admin: pg.Client, dbName: string) {
  const backends = async () =>
    (await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [dbName])).rows.map((r) => r.pid);
  let before = new Map<number, number>();
  return {
    async start(): Promise<void> {
      before = new Map();
      for (const pid of await backends()) {
        const t = cpuTicks(pid);
        if (t !== undefined) before.set(pid, t);
      }
    },
    async seconds(): Promise<number | undefined> {
      let ticks = 0;
      let readable = false;
      for (const pid of await backends()) {
        const t = cpuTicks(pid);
        if (t === undefined) continue;
        readable = true;
        ticks += t - (before.get(pid) ?? 0);
      }
      return readable ? ticks / TICKS_PER_SECOND : undefined;
    },
  };
}
