import { EventEmitter } from 'node:events';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { guardPoolClients } from '../../src/db/connect.js';
import { capturingLogger } from '../support/quiet.js';

// pg-pool listens for a client's errors only while the client is idle. These
// drive the pool's own events (no server needed) to show that a client's
// error is handled at every point of its life: an EventEmitter without an
// 'error' listener throws, which in the service would end the process.
describe('pool client error listener', () => {
  function guarded() {
    const pool = new pg.Pool({ max: 1 });
    const { logger, lines } = capturingLogger();
    const seen: Error[] = [];
    guardPoolClients(pool, { logger, onClientError: (err) => seen.push(err) });
    const client = new EventEmitter() as unknown as pg.PoolClient;
    pool.emit('connect', client);
    return { pool, client, lines, seen };
  }
  const terminated = () => Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

  it('an unguarded checked-out client throws on error (what took the process down)', () => {
    const client = new EventEmitter();
    expect(() => client.emit('error', terminated())).toThrow(/administrator command/);
  });

  it('a checked-out client that loses its connection is logged and counted, not thrown', () => {
    const { pool, client, lines, seen } = guarded();
    pool.emit('acquire', client);
    expect(() => (client as unknown as EventEmitter).emit('error', terminated())).not.toThrow();
    expect(seen).toHaveLength(1);
    expect(lines.at(-1)).toMatchObject({ level: 50, msg: expect.stringMatching(/lost while in use/), err: { code: '57P01' } });
  });

  it('an idle client error is logged once as idle; pg-pool re-emitting it on the pool throws nothing', () => {
    const { pool, client, lines, seen } = guarded();
    pool.emit('acquire', client);
    pool.emit('release', undefined, client);
    expect(() => (client as unknown as EventEmitter).emit('error', terminated())).not.toThrow();
    expect(() => pool.emit('error', terminated(), client)).not.toThrow();
    expect(seen).toHaveLength(1);
    expect(lines.filter((l) => l.level === 50).map((l) => l.msg)).toEqual(['idle database client failed; it was dropped from the pool']);
  });
});
