import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { apiClient } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';
import { recorder } from './support.js';

describe(`scheduler operator API on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let admin: string;
  let tenantKey: string;
  const rec = recorder();
  const call = apiClient(() => o);

  beforeAll(async () => {
    t = await testDatabase();
    const clock = new ManualClock('2026-04-01T10:00:30Z');
    // With the built-in jobs: the list shows them beside the job under test.
    o = await drivenOverdue({ database: t, clock, jobs: [{ key: 'billing.invoice-run:acme', schedule: { cron: '0 2 * * *', tz: 'America/Chicago' }, catchUp: 'latest', maxRunS: 600, handler: rec.handler }] });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    tenantKey = await insertApiKey(t.db, { kind: 'tenant', tenantId: randomUUID() }, clock.now());
    await o.scheduler.tick();
    await o.scheduler.idle();
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('needs the admin key', async () => {
    expect((await call('GET', '/api/v1/jobs')).status).toBe(401);
    const res = await call('GET', '/api/v1/jobs', undefined, tenantKey);
    expect([res.status, res.body.error.code]).toEqual([403, 'forbidden']);
  });

  it('lists jobs with schedule, next slot, last run, state and lag', async () => {
    const res = await call('GET', '/api/v1/jobs', undefined, admin);
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body.next_cursor).toBeNull();
    const job = body.data.find((j: any) => j.key === 'billing.invoice-run:acme');
    expect(job).toMatchObject({
      schedule: '0 2 * * *',
      tz: 'America/Chicago',
      catch_up: 'latest',
      next_slot: '2026-04-02T07:00:00.000Z',
      last_run: null,
      state: 'ok',
      lag_seconds: 0,
    });
    expect(job.check_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.data.map((j: any) => j.key)).toContain('heartbeats.retention');
  });

  it('runs a given slot now, idempotently; rejects slots that are not slots', async () => {
    const slot = '2026-03-30T02:00:00-05:00';
    const first = await call('POST', '/api/v1/jobs/billing.invoice-run:acme/run', { slot }, admin);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ slot: '2026-03-30T07:00:00.000Z', state: 'succeeded', attempt: 1 });
    const again = await call('POST', '/api/v1/jobs/billing.invoice-run:acme/run', { slot }, admin);
    expect(again.body.attempt).toBe(1);
    expect(rec.calls.map((c) => c.slot.toISOString())).toEqual(['2026-03-30T07:00:00.000Z']);

    for (const [body, status] of [
      [{ slot: '2026-03-30T02:30:00-05:00' }, 400],
      [{ slot: 'yesterday' }, 400],
      [{ slot: '2027-01-01T08:00:00Z' }, 400],
      [{}, 400],
    ] as const) {
      const res = await call('POST', '/api/v1/jobs/billing.invoice-run:acme/run', body, admin);
      expect([JSON.stringify(body), res.status, res.body.error.code]).toEqual([JSON.stringify(body), status, 'validation_failed']);
    }
    expect((await call('POST', '/api/v1/jobs/nope/run', { slot }, admin)).status).toBe(404);
  });

  it('lists runs newest first with a cursor', async () => {
    await call('POST', '/api/v1/jobs/billing.invoice-run:acme/run', { slot: '2026-03-31T02:00:00-05:00' }, admin);
    const page1 = (await call('GET', '/api/v1/jobs/billing.invoice-run:acme/runs?limit=1', undefined, admin)).body;
    expect(page1.data.map((r: any) => r.slot)).toEqual(['2026-03-31T07:00:00.000Z']);
    expect(page1.next_cursor).toBe('2026-03-31T07:00:00.000Z');
    const page2 = (await call('GET', `/api/v1/jobs/billing.invoice-run:acme/runs?limit=1&cursor=${page1.next_cursor}`, undefined, admin)).body;
    expect(page2.data.map((r: any) => r.slot)).toEqual(['2026-03-30T07:00:00.000Z']);

    const unknown = await call('GET', '/api/v1/jobs/nope/runs?cursor=soon', undefined, admin);
    expect([unknown.status, unknown.body.error]).toEqual([404, { code: 'not_found', message: 'no job nope' }]);
    const badCursor = await call('GET', '/api/v1/jobs/billing.invoice-run:acme/runs?cursor=soon', undefined, admin);
    expect([badCursor.status, badCursor.body.error.code]).toEqual([400, 'bad_request']);
  });

  it('runs the latest due slot when POSTed without a body; a wrong slot names the nearest ones', async () => {
    const res = await o.app.request('/api/v1/jobs/billing.invoice-run:acme/run', { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(200);
    // 10:00:30 UTC on April 1 is 05:00 in Chicago: the 02:00 slot of that day (07:00 UTC) is the latest due.
    expect(await res.json()).toMatchObject({ slot: '2026-04-01T07:00:00.000Z', state: 'succeeded' });
    const wrong = await call('POST', '/api/v1/jobs/billing.invoice-run:acme/run', { slot: '2026-03-30T02:30:00-05:00' }, admin);
    expect(wrong.body.error.message).toContain('nearest slots: 2026-03-30T07:00:00.000Z and 2026-03-31T07:00:00.000Z');
    const garbage = await o.app.request('/api/v1/jobs/billing.invoice-run:acme/run', { method: 'POST', headers: { authorization: `Bearer ${admin}` }, body: 'soon' });
    expect(garbage.status).toBe(400);
  });

  it('pausing or resuming an unknown job is a 404 and changes nothing', async () => {
    for (const action of ['pause', 'resume']) {
      const res = await call('POST', `/api/v1/jobs/nope/${action}`, undefined, admin);
      expect([res.status, res.body.error.code]).toEqual([404, 'not_found']);
    }
    expect(((await call('GET', '/api/v1/jobs', undefined, admin)).body).data.map((j: any) => j.key)).not.toContain('nope');
  });

  it('pause stops a job from running; resume lets it run again', async () => {
    expect((await call('POST', '/api/v1/jobs/billing.invoice-run:acme/pause', undefined, admin)).body).toEqual({ key: 'billing.invoice-run:acme', paused: true });
    const before = rec.calls.length;
    await o.clock.jump('2026-04-02T07:00:30Z');
    await o.scheduler.tick();
    await o.scheduler.idle();
    expect(rec.calls.length).toBe(before);
    expect(((await call('GET', '/api/v1/jobs', undefined, admin)).body).data.find((j: any) => j.key === 'billing.invoice-run:acme').state).toBe('paused');
    await call('POST', '/api/v1/jobs/billing.invoice-run:acme/resume', undefined, admin);
    await o.scheduler.tick();
    await o.scheduler.idle();
    expect(rec.calls.at(-1)!.slot.toISOString()).toBe('2026-04-02T07:00:00.000Z');
  });
});
