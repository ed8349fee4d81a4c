import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError } from '../../src/db/datadir-lock.js';

const freshDir = () => join(mkdtempSync(join(tmpdir(), 'overdue-lock-')), 'data');

describe('data directory lock', () => {
  it('is exclusive while held and free again after release', () => {
    const dir = freshDir();
    const lock = acquireDataDirLock(dir);
    expect(readFileSync(lock.path, 'utf8').trim()).toBe(String(process.pid));
    // Another live process (our parent stands in for one) cannot take it.
    const other = process.ppid;
    writeFileSync(lock.path, `${other}\n`);
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    expect(() => acquireDataDirLock(dir)).toThrow(new RegExp(`in use by another Overdue process \\(pid ${other}\\)`));
    writeFileSync(lock.path, `${process.pid}\n`);
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
    acquireDataDirLock(dir).release();
  });

  it('takes over a lock left by a process that died', () => {
    const dir = freshDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const first = acquireDataDirLock(dir);
    writeFileSync(first.path, `${dead}\n`); // as if a kill -9 left it behind
    const lock = acquireDataDirLock(dir);
    expect(readFileSync(lock.path, 'utf8').trim()).toBe(String(process.pid));
    lock.release();
  });

  it('release does not remove a lock that another process now holds', () => {
    const dir = freshDir();
    const lock = acquireDataDirLock(dir);
    writeFileSync(lock.path, `${process.ppid}\n`);
    lock.release();
    expect(existsSync(lock.path)).toBe(true);
  });
});
