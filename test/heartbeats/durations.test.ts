import { describe, expect, it } from 'vitest';
import { pumpAlerts } from '../support/app.js';
import { backend } from '../support/db.js';
import { perTestResources } from '../support/resources.js';
import { apiClient } from '../support/http.js';
import { newTenant } from '../support/tenants.js';
import { drivenChecks } from './driven-checks.js';

const resources = perTestResources();
const setup = (start?: string) => drivenChecks(resources, start);

const RID_A = '1b1f1e6c-0000-4000-8000-00000000000a';
const RID_B = '1b1f1e6c-0000-4000-8000-00000000000b';
const RID_C = '1b1f1e6c-0000-4000-8000-00000000000c';

describe(`run durations on ${backend}`, () => {
  it('stores the duration of a run closed without rid; the v3 pings list and /api/v1 durations show it', async () => {
    const { api, create, at, ping, t } = await setup();
    const id = await create({ name: 'nightly', timeout: 86_400, grace: 3600 });
    await ping(id, '/start');
    await at('2026-03-01T12:00:42.500Z');
    await ping(id);
    await at('2026-03-01T12:10:00Z');
    await ping(id); // closes nothing: no duration
    await ping(id, '/start');
    await at('2026-03-01T12:12:00Z');
    await ping(id, '/fail');

    const stored = await t.db.selectFrom('pings').select(['n', 'kind', 'duration_ms']).where('check_id', '=', id).orderBy('n').execute();
    expect(stored.map((p) => [p.kind, p.duration_ms === null ? null : Number(p.duration_ms)])).toEqual([
      ['start', null],
      [null, 42_500],
      [null, null],
      ['start', null],
      ['fail', 120_000],
    ]);

    const pings = (await api('GET', `/api/v3/checks/${id}/pings/`)).body.pings as { type: string; duration?: number }[];
    expect(pings.map((p) => [p.type, p.duration])).toEqual([
      ['fail', 120],
      ['start', undefined],
      ['success', undefined],
      ['success', 42.5],
      ['start', undefined],
    ]);

    const all = await api('GET', `/api/v1/checks/${id}/durations`);
    expect(all.status).toBe(200);
    expect(all.body).toEqual({
      data: [
        { at: '2026-03-01T12:00:42.500Z', duration_s: 42.5, kind: 'success' },
        { at: '2026-03-01T12:12:00.000Z', duration_s: 120, kind: 'fail' },
      ],
      summary: { p50: 42.5, p90: 120, max: 120, count: 2 },
    });
    const since = await api('GET', `/api/v1/checks/${id}/durations?since=${encodeURIComponent('2026-03-01T13:05:00+01:00')}`);
    expect(since.body.data).toEqual([{ at: '2026-03-01T12:12:00.000Z', duration_s: 120, kind: 'fail' }]);
  });

  it('concurrent runs with distinct rids each close their own start; a finish with an unknown rid closes none', async () => {
    const { api, create, at, ping, o } = await setup();
    const id = await create({ name: 'workers', timeout: 86_400, grace: 3600 });
    await ping(id, '/start', RID_A);
    await at('2026-03-01T12:00:10Z');
    await ping(id, '/start', RID_B.toUpperCase()); // any case, stored lowercase
    await at('2026-03-01T12:00:30Z');
    await ping(id, '', RID_B);
    await ping(id, '', RID_C);
    await at('2026-03-01T12:01:00Z');
    await ping(id, '/fail', RID_A);

    const pings = (await api('GET', `/api/v3/checks/${id}/pings/`)).body.pings as { type: string; rid: string; duration?: number }[];
    expect(pings.map((p) => [p.type, p.rid, p.duration])).toEqual([
      ['fail', RID_A, 60],
      ['success', RID_C, undefined],
      ['success', RID_B, 20],
      ['start', RID_B, undefined],
      ['start', RID_A, undefined],
    ]);
    const res = await api('GET', `/api/v1/checks/${id}/durations`);
    expect(res.body.data.map((d: { duration_s: number; kind: string }) => [d.duration_s, d.kind])).toEqual([
      [20, 'success'],
      [60, 'fail'],
    ]);
    expect(res.body.summary).toEqual({ p50: 20, p90: 60, max: 60, count: 2 });
    // A rid that is not a UUID is refused, as healthchecks does (ping-api.md §5).
    const refused = await o.app.request(`/ping/${id}?rid=not-a-uuid`);
    expect([refused.status, await refused.text()]).toEqual([400, 'invalid uuid format']);
  });

  it('answers errors in the API shape, scopes tenant keys, and the OpenAPI document lists the route', async () => {
    const { api, create, o, key } = await setup();
    const id = await create({ name: 'x', timeout: 60, grace: 60 });
    const bad = await api('GET', `/api/v1/checks/${id}/durations?since=yesterday`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('bad_request');
    const missing = await api('GET', '/api/v1/checks/00000000-0000-4000-8000-000000000000/durations');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'not_found' });
    expect((await api('GET', `/api/v1/checks/${id}/durations`, undefined, null)).status).toBe(401);
    const empty = await api('GET', `/api/v1/checks/${id}/durations`);
    expect(empty.body).toEqual({ data: [], summary: { p50: null, p90: null, max: null, count: 0 } });
    // A tenant key sees its own checks' runs only: the platform's check is 404 to it.
    const tenant = await newTenant(apiClient(o, () => key), 'acme');
    expect((await api('GET', `/api/v1/checks/${id}/durations`, undefined, tenant.api_key)).status).toBe(404);
    const own = (await api('POST', '/api/v3/checks/', { name: 'own' }, tenant.api_key)).body.uuid as string;
    expect((await api('GET', `/api/v1/checks/${own}/durations`, undefined, tenant.api_key)).status).toBe(200);
    const doc = await api('GET', '/api/v1/openapi.json', undefined, null);
    expect(Object.keys(doc.body.paths)).toContain('/checks/{id}/durations');
  });
});

describe(`too fast and too slow on ${backend}`, () => {
  it('min_duration and max_duration are validated, shown, and can be cleared', async () => {
    const { api, create } = await setup();
    for (const [spec, error] of [
      [{ min_duration: 0 }, 'json validation error: min_duration is too small'],
      [{ max_duration: 31_536_001 }, 'json validation error: max_duration is too large'],
      [{ min_duration: 1.5 }, 'json validation error: min_duration is not a number'],
      [{ min_duration: 60, max_duration: 60 }, 'json validation error: min_duration must be less than max_duration'],
    ] as const) {
      const res = await api('POST', '/api/v3/checks/', { name: 'x', ...spec });
      expect(res, JSON.stringify(spec)).toMatchObject({ status: 400, body: { error } });
    }
    const id = await create({ name: 'etl', min_duration: 60, max_duration: 7200 });
    expect((await api('GET', `/api/v3/checks/${id}`)).body).toMatchObject({ min_duration: 60, max_duration: 7200 });
    // One bound alone must still fit the other.
    const crossing = { status: 400, body: { error: 'json validation error: min_duration must be less than max_duration' } };
    expect(await api('POST', `/api/v3/checks/${id}`, { min_duration: 7200 })).toMatchObject(crossing);
    // The same through healthchecks' upsert (`unique` matches this check).
    expect(await api('POST', '/api/v3/checks/', { name: 'etl', unique: ['name'], min_duration: 9000 })).toMatchObject(crossing);
    expect((await api('GET', `/api/v3/checks/${id}`)).body).toMatchObject({ min_duration: 60, max_duration: 7200 });
    expect((await api('POST', `/api/v3/checks/${id}`, { min_duration: null })).body).toMatchObject({ min_duration: null, max_duration: 7200 });
  });

  it('a run under min_duration counts as a failure: down at the failure threshold, with the reason in flip, signal and alert', async () => {
    const { create, at, ping, flips, signals, alertEvents, o } = await setup();
    const id = await create({ name: 'backup', timeout: 86_400, grace: 3600, min_duration: 60, failure_threshold: 2 });
    await ping(id, '/start');
    await at('2026-03-01T12:02:00Z');
    await ping(id); // 120 s: fine, up
    await at('2026-03-01T13:00:00Z');
    await ping(id, '/start');
    await at('2026-03-01T13:00:03Z');
    await ping(id); // 3 s: too fast, 1 of 2
    expect((await flips(id)).map((f) => f.new_status)).toEqual(['up']);
    await at('2026-03-01T14:00:00Z');
    await ping(id, '/start');
    await at('2026-03-01T14:00:05Z');
    // 5 s: too fast again → down; its log is the alert's evidence (bounded).
    const log = `backup: 0 files copied\n${'x'.repeat(3000)}`;
    expect((await o.app.request(`/ping/${id}`, { method: 'POST', body: log })).status).toBe(200);

    const all = await flips(id);
    expect(all.map((f) => [f.old_status, f.new_status, f.reason, f.detail])).toEqual([
      ['new', 'up', '', ''],
      ['up', 'down', 'too_fast', 'finished in 5 s, expected at least 1 min'],
    ]);
    const [signal] = await signals(id);
    expect(signal!.summary).toBe('Heartbeat backup is down (finished in 5 s, expected at least 1 min)');
    expect(signal!.evidence).toMatchObject({ reason: 'too_fast', last_duration_s: 5 });

    await pumpAlerts(o);
    const [alert] = await alertEvents(id);
    expect(alert!.text).toMatch(/^Its run finished too soon \(finished in 5 s, expected at least 1 min\); down since 2026-03-01 14:00:05 UTC\.$/);
    expect(JSON.stringify(alert!.details)).toContain('"name":"Last run","value":"5 s (usually 3 s–2 min, p50–p90 of 2 runs)"');
    const excerpt = (alert!.details as { excerpt: string }).excerpt;
    expect(excerpt.startsWith('backup: 0 files copied\n')).toBe(true);
    expect(excerpt).toMatch(/… \(\d+ bytes in all\)$/);
    expect(Buffer.byteLength(excerpt)).toBeLessThan(1100);

    // A run of the right length brings it back.
    await ping(id, '/start');
    await at('2026-03-01T14:05:00Z');
    await ping(id);
    expect((await flips(id)).at(-1)).toMatchObject({ old_status: 'down', new_status: 'up' });
  });

  it('a run still open after max_duration goes down at that instant, whatever the grace; concurrent runs count each', async () => {
    const { create, at, ping, flips, signals, alertEvents, o, t } = await setup();
    // Grace 3 h: without max_duration the open run would be late only after 3 h.
    const id = await create({ name: 'etl', timeout: 86_400, grace: 10_800, max_duration: 7200, failure_threshold: 2 });
    await ping(id); // up
    await ping(id, '/start', RID_A);
    await at('2026-03-01T12:30:00Z');
    await ping(id, '/start', RID_B);

    await at('2026-03-01T14:00:00Z'); // A: 2 h
    await o.alerts.tick();
    expect((await flips(id)).map((f) => f.new_status)).toEqual(['up']); // one too slow run: 1 of 2
    const row = await t.db.selectFrom('checks').select(['alert_after', 'recent_outcomes']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ alert_after: new Date('2026-03-01T14:30:00Z'), recent_outcomes: 'sm' });

    await at('2026-03-01T14:35:00Z'); // B: 2 h 5 min by the time the evaluator looks
    await o.alerts.tick();
    const down = (await flips(id)).at(-1)!;
    expect(down).toMatchObject({ old_status: 'up', new_status: 'down', reason: 'too_slow', detail: 'running for 2 h 5 min, expected at most 2 h' });
    expect(down.created).toEqual(new Date('2026-03-01T14:30:00Z'));
    const [signal] = await signals(id);
    expect(signal!.summary).toBe('Heartbeat etl is down (running for 2 h 5 min, expected at most 2 h)');
    await pumpAlerts(o);
    const [alert] = await alertEvents(id);
    expect(alert!.text).toContain('Its run is taking too long (running for 2 h 5 min, expected at most 2 h)');
    expect(JSON.stringify(alert!.details)).toContain('"name":"Last run","value":"2 h 5 min"');

    // The slow runs still record their durations when they end.
    await ping(id, '', RID_A);
    await ping(id, '', RID_B);
    const closed = await t.db.selectFrom('pings').select('duration_ms').where('check_id', '=', id).where('duration_ms', 'is not', null).orderBy('n').execute();
    expect(closed.map((p) => Number(p.duration_ms) / 60_000)).toEqual([155, 125]);
  });
});
