import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivenOverdue, metricValue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { apiClient, created, type Api } from '../support/http.js';
import { newTenant } from '../support/tenants.js';
import { ping, tenantCheck, type TestCheck } from '../incidents/monitors.js';

// The incident loop handles signals per source. One that fails to handle (here: a database
// trigger refuses its incident, standing in for any bug or bad row) is retried with backoff
// (5 s, 10 s, 20 s, 40 s), then parked with its error, counted, logged and alerted to the
// platform; it never holds up another source. Before, it was retried first on every tick and
// every source behind it waited: no tenant got an incident at all.
describe(`a signal that cannot be handled is parked and stalls nothing on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let api: Api;
  let admin: string;
  const tenants: Record<string, { id: string; api_key: string; check: TestCheck }> = {};
  const clock = new ManualClock('2026-06-01T12:00:00Z');
  const tick = async () => {
    await o.incidents.tick();
    await o.pageCache.refreshVersions();
  };
  const unresolved = async (slug: string) => (await api('GET', `/s/${slug}/api/v2/incidents/unresolved.json`, undefined, null)).body.incidents as { name: string; created_at: string }[];
  const signalsOf = (check: TestCheck) => t.db.selectFrom('signals').selectAll().where('source', '=', check.source).orderBy('id').execute();
  const parked = async (query = '') => api('GET', `/api/v1/signals?state=parked${query}`);

  beforeAll(async () => {
    t = await testDatabase();
    o = await drivenOverdue({ database: t, clock });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
    for (const slug of ['bad', 'good-a', 'good-b']) {
      const tenant = await newTenant(api, slug);
      await created(api, '/api/v1/pages', { slug: `${slug}-status`, name: slug }, tenant.api_key);
      const check = await tenantCheck(o, t.db, tenant.api_key, `${slug} worker`, `${slug}-worker`);
      await created(api, '/api/v1/components', { page: `${slug}-status`, name: 'Workers', sources: [check.source] }, tenant.api_key);
      tenants[slug] = { ...tenant, check };
    }
    // The old trap, written past the API's checks: a group listing a source. It is ignored now.
    const page = await t.db.selectFrom('pages').select('id').where('slug', '=', 'good-a-status').executeTakeFirstOrThrow();
    const group = '5f0c1c1e-0000-4000-8000-00000000a001';
    await t.db.insertInto('components').values({ id: group, page_id: page.id, name: 'All', description: null, is_group: true, group_id: null, position: 9, only_show_if_degraded: false, showcase: true, status: 'operational', start_date: null, created_at: clock.now(), updated_at: clock.now() }).execute();
    await t.db.insertInto('component_sources').values({ component_id: group, source: tenants['good-a']!.check.source }).execute();
    // Handling anything of the bad tenant's check fails.
    await sql
      .raw(
        `create function refuse_bad_source() returns trigger language plpgsql as $$
         begin if new.source = '${tenants.bad!.check.source}' then raise exception 'poisoned source %', new.source; end if; return new; end $$;
         create trigger refuse_bad_source before insert on incident_sources for each row execute function refuse_bad_source();`,
      )
      .execute(t.db);
  });
  afterAll(async () => void (await o?.stop(), await t?.close()));

  it('the bad source fails and waits for its retry; the other tenants get their incidents in the same tick', async () => {
    // The bad check goes down first, so its signal is the oldest: the one the old loop stuck on.
    await clock.advance(100_000);
    for (const slug of ['good-a', 'good-b']) await ping(o, tenants[slug]!.check);
    await clock.advance(21_000);
    await o.alerts.tick();
    await clock.advance(100_000);
    await o.alerts.tick();
    const downAt = clock.now();
    expect((await signalsOf(tenants.bad!.check)).map((s) => s.kind)).toEqual(['failing']);
    expect((await signalsOf(tenants['good-a']!.check))[0]!.id).toBeGreaterThan((await signalsOf(tenants.bad!.check))[0]!.id);

    await tick();
    for (const slug of ['good-a', 'good-b']) expect(await unresolved(`${slug}-status`), slug).toEqual([expect.objectContaining({ name: 'Partial outage: Workers', created_at: downAt.toISOString() })]);
    expect(await unresolved('bad-status')).toEqual([]);
    const [bad] = await signalsOf(tenants.bad!.check);
    expect(bad).toMatchObject({ processed_at: null, parked_at: null, attempts: 1, retry_at: new Date(downAt.getTime() + 5_000) });
    expect(bad!.last_error).toContain('poisoned source');
    // The group that lists good-a's check took nothing.
    const groupRow = await t.db.selectFrom('incident_components').select('component_id').where('component_id', '=', '5f0c1c1e-0000-4000-8000-00000000a001').execute();
    expect(groupRow).toEqual([]);
  });

  it('retried with backoff, then parked with its error, counted, logged and alerted; later signals of every source go on', async () => {
    const first = (await signalsOf(tenants.bad!.check))[0]!;
    // Its own next signal waits behind it; another source's does not.
    await ping(o, tenants.bad!.check);
    await ping(o, tenants['good-b']!.check);
    await tick();
    expect(await unresolved('good-b-status')).toEqual([]);
    expect((await signalsOf(tenants.bad!.check)).map((s) => [s.kind, s.processed_at])).toEqual([['failing', null], ['recovered', null]]);

    const attempts: number[] = [];
    for (const wait of [5_000, 10_000, 20_000, 40_000]) {
      await clock.advance(wait - 1);
      await tick();
      attempts.push((await signalsOf(tenants.bad!.check))[0]!.attempts); // not yet due
      await clock.advance(1);
      await tick();
      attempts.push((await signalsOf(tenants.bad!.check))[0]!.attempts);
    }
    expect(attempts).toEqual([1, 2, 2, 3, 3, 4, 4, 5]);
    const [gaveUp, recovered] = await signalsOf(tenants.bad!.check);
    expect(gaveUp).toMatchObject({ id: first.id, attempts: 5, parked_at: clock.now(), processed_at: clock.now(), retry_at: null });
    expect(gaveUp!.last_error).toContain('poisoned source');
    // Parked counts as handled: the source's next signal went on at once (no incident, so nothing to say).
    expect(recovered!.processed_at).toEqual(clock.now());
    expect(await unresolved('good-a-status')).toHaveLength(1);

    const alerts = await t.db.selectFrom('alert_events').selectAll().where('kind', '=', 'signal.parked').execute();
    expect(alerts).toEqual([expect.objectContaining({ tenant_id: null, severity: 'critical', details: expect.objectContaining({ signal_id: String(first.id), source: tenants.bad!.check.source, attempts: 5 }) })]);
    expect(alerts[0]!.text).toContain('poisoned source');
    expect(await metricValue(o.metricReader, 'overdue_signals_parked_total')).toBe(1);
    expect(await metricValue(o.metricReader, 'overdue_signal_failures_total')).toBe(5);
    expect(o.logs.filter((l) => l.msg === 'signal parked after repeated failures').map((l) => l.source)).toEqual([tenants.bad!.check.source]);
  });

  it('GET /api/v1/signals?state=parked lists them (admin key only), newest first, a page at a time', async () => {
    // The bad check fails again: a second signal is parked.
    await clock.advance(121_000);
    for (const slug of ['good-a', 'good-b']) await ping(o, tenants[slug]!.check);
    await o.alerts.tick();
    for (const wait of [0, 5_000, 10_000, 20_000, 40_000]) {
      await clock.advance(wait);
      await tick();
    }
    const all = await parked();
    expect(all.status).toBe(200);
    expect(all.body.next_cursor).toBeNull();
    const ids = (await signalsOf(tenants.bad!.check)).filter((s) => s.parked_at).map((s) => s.id.toString());
    expect(all.body.data.map((s: { id: string }) => s.id)).toEqual([...ids].reverse());
    expect(all.body.data[0]).toMatchObject({ source: tenants.bad!.check.source, kind: 'failing', tenant_id: tenants.bad!.id, attempts: 5, last_error: expect.stringContaining('poisoned source'), parked_at: clock.now().toISOString() });

    const seen: string[] = [];
    let page = await parked('&limit=1');
    seen.push(...page.body.data.map((s: { id: string }) => s.id));
    expect(page.body.next_cursor).toBe(seen[0]);
    while (page.body.next_cursor) {
      page = await parked(`&limit=1&cursor=${page.body.next_cursor}`);
      seen.push(...page.body.data.map((s: { id: string }) => s.id));
    }
    expect(seen).toEqual(all.body.data.map((s: { id: string }) => s.id));

    expect((await api('GET', '/api/v1/signals?state=parked', undefined, tenants.bad!.api_key)).status).toBe(403);
    expect((await api('GET', '/api/v1/signals', undefined, admin)).status).toBe(400);
    expect((await api('GET', '/api/v1/signals?state=pending')).status).toBe(400);
    expect((await parked('&cursor=abc')).status).toBe(400);
    expect((await api('GET', '/api/v1/signals?state=parked', undefined, null)).status).toBe(401);
  });

  it('POST /api/v1/signals/:id/retry queues a parked signal again once its cause is fixed (never out of order)', async () => {
    await sql`drop trigger refuse_bad_source on incident_sources`.execute(t.db);
    const [newer, older] = (await parked()).body.data as { id: string }[];
    expect((await api('POST', `/api/v1/signals/${newer!.id}/retry`, {}, tenants.bad!.api_key)).status).toBe(403);
    // The older one has newer signals of its source handled since: replaying it would undo them.
    expect((await api('POST', `/api/v1/signals/${older!.id}/retry`, {})).status).toBe(409);
    expect((await api('POST', '/api/v1/signals/999999/retry', {})).status).toBe(404);
    expect((await api('POST', `/api/v1/signals/${newer!.id}/retry`, {})).status).toBe(204);
    expect((await api('POST', `/api/v1/signals/${newer!.id}/retry`, {})).status).toBe(404);
    await tick();
    expect(await unresolved('bad-status')).toEqual([expect.objectContaining({ name: 'Partial outage: Workers' })]);
    expect((await parked()).body.data.map((s: { id: string }) => s.id)).toEqual([older!.id]);
  });
});
