import { describe, expect, it } from 'vitest';
import { pumpAlerts } from '../support/app.js';
import { backend } from '../support/db.js';
import { perTestResources } from '../support/resources.js';
import { drivenChecks } from './driven-checks.js';

const resources = perTestResources();
const setup = () => drivenChecks(resources);

/** Ticks the evaluator at each instant in turn (the clock only moves forward). */
async function tickAt(s: Awaited<ReturnType<typeof setup>>, ...instants: string[]) {
  for (const iso of instants) {
    await s.at(iso);
    await s.o.alerts.tick();
  }
}

const status = async (s: Awaited<ReturnType<typeof setup>>, id: string) =>
  s.t.db.selectFrom('checks').select(['status', 'alert_after', 'paused_until', 'silenced_until', 'silence_note']).where('id', '=', id).executeTakeFirstOrThrow();

describe(`timed pauses on ${backend}`, () => {
  it('refuses an until that is not an RFC 3339 instant in the coming year; without a body the pause is as before', async () => {
    const s = await setup();
    const id = await s.create({ name: 'nightly', timeout: 3600, grace: 600 });
    for (const [until, error] of [
      ['2026-03-01T11:59:59Z', 'json validation error: until must be in the future'],
      ['2027-03-02T12:00:00Z', 'json validation error: until must be within a year'],
      ['tomorrow', 'json validation error: until is not an RFC 3339 date-time with an offset'],
      ['2026-03-01T13:00:00', 'json validation error: until is not an RFC 3339 date-time with an offset'],
      [1_900_000_000, 'json validation error: until is not an RFC 3339 date-time with an offset'],
    ] as const) {
      expect(await s.api('POST', `/api/v3/checks/${id}/pause`, { until }), String(until)).toMatchObject({ status: 400, body: { error } });
    }
    expect((await status(s, id)).status).toBe('new');
    const plain = await s.o.app.request(`/api/v3/checks/${id}/pause`, { method: 'POST', headers: { 'x-api-key': s.key } });
    expect(plain.status).toBe(200);
    expect(await plain.json()).toMatchObject({ status: 'paused', paused_until: null });
    expect(await status(s, id)).toMatchObject({ status: 'paused', alert_after: null, paused_until: null });
    // Pausing again with an end sets it.
    const timed = await s.api('POST', `/api/v3/checks/${id}/pause`, { until: '2026-03-01T14:00:00+01:00' });
    expect(timed.body).toMatchObject({ status: 'paused', paused_until: '2026-03-01T13:00:00+00:00' });
  });

  it('resumes by itself at until, then gets one fresh period plus grace; the alert says it came after the pause', async () => {
    const s = await setup();
    const id = await s.create({ name: 'nightly', timeout: 3600, grace: 600 });
    await s.ping(id); // up; due 13:00, down at 13:10
    await s.at('2026-03-01T12:10:00Z');
    expect((await s.api('POST', `/api/v3/checks/${id}/pause`, { until: '2026-03-01T13:00:00Z' })).status).toBe(200);
    expect(await status(s, id)).toMatchObject({ status: 'paused', alert_after: new Date('2026-03-01T13:00:00Z') });

    await tickAt(s, '2026-03-01T12:59:59.999Z');
    expect((await status(s, id)).status).toBe('paused');
    await tickAt(s, '2026-03-01T13:00:00Z');
    expect(await status(s, id)).toMatchObject({ status: 'up', paused_until: null, alert_after: new Date('2026-03-01T14:10:00Z') });
    expect((await s.flips(id)).at(-1)).toMatchObject({ old_status: 'paused', new_status: 'up', created: new Date('2026-03-01T13:00:00Z') });

    // Not at the old deadline (13:10), nor the moment the pause ended: a fresh hour plus grace.
    await tickAt(s, '2026-03-01T13:10:00Z', '2026-03-01T14:09:59.999Z');
    expect((await status(s, id)).status).toBe('up');
    expect(await s.signals(id)).toEqual([]);
    await tickAt(s, '2026-03-01T14:10:00Z');
    const down = (await s.flips(id)).at(-1)!;
    expect(down).toMatchObject({ new_status: 'down', reason: 'timeout', detail: 'after a pause that ended at 2026-03-01 13:00 UTC' });
    const [signal] = await s.signals(id);
    expect(signal!.summary).toBe('Heartbeat nightly is down (after a pause that ended at 2026-03-01 13:00 UTC)');
    await pumpAlerts(s.o);
    const [alert] = await s.alertEvents(id);
    expect(alert!.text).toBe('It did not ping in time (after a pause that ended at 2026-03-01 13:00 UTC); down since 2026-03-01 14:10:00 UTC.');
  });

  it('a ping during a timed pause ends it, as any ping ends a pause', async () => {
    const s = await setup();
    const id = await s.create({ name: 'nightly', timeout: 3600, grace: 600 });
    await s.api('POST', `/api/v3/checks/${id}/pause`, { until: '2026-03-02T12:00:00Z' });
    await s.at('2026-03-01T12:30:00Z');
    await s.ping(id);
    expect(await status(s, id)).toMatchObject({ status: 'up', paused_until: null, alert_after: new Date('2026-03-01T13:40:00Z') });
  });
});

describe(`maintenance windows on ${backend}`, () => {
  it('a window on a component holds its checks (no flip, signal or incident), then one fresh period plus grace', async () => {
    const s = await setup();
    const id = await s.create({ name: 'billing-sync', timeout: 3600, grace: 600 });
    const other = await s.create({ name: 'unlisted', timeout: 3600, grace: 600 });
    await s.ping(id); // due 13:00, down at 13:10
    await s.ping(other);
    const v1 = (method: string, path: string, body: unknown) =>
      s.o.app.request(path, { method, headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const component = await (await v1('POST', '/api/v1/components', { name: 'Billing', sources: [`check:${id}`] })).json();
    expect(component.id).toBeDefined();
    const m = await v1('POST', '/api/v1/maintenances', {
      name: 'Database upgrade',
      body: 'Planned.',
      scheduled_for: '2026-03-01T13:00:00Z',
      scheduled_until: '2026-03-01T14:00:00Z',
      components: [component.id],
    });
    expect(m.status).toBe(201);

    await tickAt(s, '2026-03-01T13:10:00Z');
    expect(await status(s, id)).toMatchObject({ status: 'up', silenced_until: new Date('2026-03-01T14:00:00Z'), alert_after: new Date('2026-03-01T14:00:00Z') });
    // A check no component under maintenance lists goes down as usual.
    expect((await s.flips(other)).at(-1)).toMatchObject({ new_status: 'down' });

    // A failure reported inside the window changes nothing either.
    await s.at('2026-03-01T13:30:00Z');
    await s.ping(id, '/fail');
    expect((await status(s, id)).status).toBe('up');
    expect((await s.flips(id)).map((f) => f.new_status)).toEqual(['up']);
    expect(await s.signals(id)).toEqual([]);

    // The window ends at 14:00: no alert then, and none until a fresh hour plus grace has passed.
    await tickAt(s, '2026-03-01T14:00:00Z');
    expect(await status(s, id)).toMatchObject({
      status: 'up',
      silenced_until: null,
      alert_after: new Date('2026-03-01T15:10:00Z'),
      silence_note: 'after a maintenance window that ended at 2026-03-01 14:00 UTC',
    });
    await tickAt(s, '2026-03-01T15:09:59.999Z');
    expect(await s.signals(id)).toEqual([]);
    const incidents = await s.t.db.selectFrom('incidents').select('kind').where('kind', '=', 'incident').execute();
    expect(incidents).toEqual([]);

    await tickAt(s, '2026-03-01T15:10:00Z');
    const [signal] = await s.signals(id);
    expect(signal!.summary).toBe('Heartbeat billing-sync is down (after a maintenance window that ended at 2026-03-01 14:00 UTC)');
    await pumpAlerts(s.o);
    const [alert] = await s.alertEvents(id);
    expect(alert!.text).toContain('(after a maintenance window that ended at 2026-03-01 14:00 UTC)');
  });

  it('a success after the window clears the note: a later failure is alerted plainly', async () => {
    const s = await setup();
    const id = await s.create({ name: 'billing-sync', timeout: 3600, grace: 600 });
    await s.ping(id);
    const v1 = (path: string, body: unknown) =>
      s.o.app.request(path, { method: 'POST', headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const component = await (await v1('/api/v1/components', { name: 'Billing', sources: [`check:${id}`] })).json();
    await v1('/api/v1/maintenances', { name: 'M', body: 'b', scheduled_for: '2026-03-01T13:00:00Z', scheduled_until: '2026-03-01T13:30:00Z', components: [component.id] });
    await tickAt(s, '2026-03-01T13:10:00Z', '2026-03-01T13:30:00Z');
    expect((await status(s, id)).silence_note).not.toBe('');
    await s.ping(id);
    expect((await status(s, id)).silence_note).toBe('');
    await s.ping(id, '/fail');
    expect((await s.flips(id)).at(-1)).toMatchObject({ new_status: 'down', reason: 'fail', detail: '' });
  });
});
