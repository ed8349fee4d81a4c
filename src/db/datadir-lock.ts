import { mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';

export class DataDirLockedError extends Error {
  constructor(readonly dataDir: string, readonly holderPid: number) {
    super(
      `DATA_DIR ${dataDir} is in use by another Overdue process (pid ${holderPid}). ` +
        'PGlite does not lock its files, so two processes on one directory would lose data. ' +
        'Stop the other process, or give this one its own DATA_DIR (or a DATABASE_URL).',
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  path: string;
  release(): void;
}

/**
 * Takes an exclusive lock file in the data directory. PGlite itself does not
 * lock its directory, and a second process on it silently loses committed
 * rows. Creation with O_EXCL is atomic; a lock left by a dead process (kill -9)
 * is taken over after checking that its pid is gone.
 */
export function acquireDataDirLock(dataDir: string, pid = process.pid): DataDirLock {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'overdue.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${pid}\n`);
      closeSync(fd);
      return { path, release: () => releaseIfOurs(path, pid) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(path);
    if (holder !== undefined && holder !== pid && isAlive(holder)) throw new DataDirLockedError(dir, holder);
    // Stale (or unreadable) lock: move it aside atomically so that two
    // starters racing on the same stale file cannot both delete a fresh one.
    try {
      renameSync(path, `${path}.stale-${pid}`);
      unlinkSync(`${path}.stale-${pid}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error(`could not take the lock file ${path}`);
}

function readHolder(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isFinite(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseIfOurs(path: string, pid: number): void {
  if (readHolder(path) !== pid) return;
  try {
    unlinkSync(path);
  } catch {
    // already gone: nothing to release
  }
}
