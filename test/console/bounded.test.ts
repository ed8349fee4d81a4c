import { sql, type KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, created, type Api } from '../support/http.js';
import { newTenant } from '../support/tenants.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { consoleClient } from '../support/console.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';

/**
 * The console with a tenant of many checks and a check of many pings: every
 * page reads a bounded number of rows, whatever the tenant's size. The ping
 * log pages by ping number, a channel counts the checks it hears and names
 * the first 20, the source picker lists the first 200 checks by name with a
 * name search and keeps the ticked ones, the tag filter suggests the tags in
 * use. "Widest" is the most rows any one statement returned for a request.
 */
describe(`console pages stay bounded on ${backend}`, () => {
  const CHECKS = 300;
  const PINGS = 250;
  let t: TestDatabase;
  let o: TestOverdue;
  let api: Api;
  let acme: { id: string; api_key: string };
  let probe: string;
  let pageId: string;
  let pager: string;
  let widest = 0;

  // Counts the rows each statement returns (reads and writes alike), through the same connection.
  const rowCounter: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      widest = Math.max(widest, args.result.rows.length);
      return args.result;
    },
  };
  const widestOf = async <T>(fn: () => Promise<T>): Promise<{ result: T; widest: number }> => {
    widest = 0;
    const result = await fn();
    return { result, widest };
  };

  beforeAll(async () => {
    t = await testDatabase();
    const clock = new ManualClock(new Date('2026-12-01T10:00:00Z'));
    o = await drivenOverdue({ database: { ...t, db: t.db.withPlugin(rowCounter) }, clock, env: { PING_LOG_LIMIT: '1000', WEBHOOK_ALLOW_PRIVATE: '127.0.0.1' } });
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
    acme = await newTenant(api, 'acme');
    pageId = (await created(api, '/api/v1/pages', { slug: 'acme', name: 'Acme status' }, acme.api_key)).id;
    pager = (await created(api, '/api/v1/channels', { kind: 'slack', name: 'acme pager', config: { url: 'http://127.0.0.1:9/pager' } }, acme.api_key)).id;
    await created(api, '/api/v1/channels', { kind: 'slack', name: 'acme chat', config: { url: 'http://127.0.0.1:9/chat' }, default: true }, acme.api_key);
    const r = await api('POST', '/api/v3/checks/', { name: 'probe', timeout: 60, grace: 60 }, null, { 'x-api-key': acme.api_key });
    expect(r.status).toBe(201);
    probe = r.body.uuid as string;
    const { ping_key } = await t.db.selectFrom('checks').select('ping_key').where('id', '=', probe).executeTakeFirstOrThrow();
    // bulk-001 … bulk-300, tagged "bulk" and one of team-0 … team-6; the first 30 by name route to the pager.
    await sql`
      insert into checks (id, tenant_id, ping_key, name, tags, kind, timeout_s, grace_s, created_at, updated_at)
      select gen_random_uuid(), ${acme.id}::uuid, ${ping_key}, 'bulk-' || lpad(i::text, 3, '0'), 'bulk team-' || (i % 7), 'simple', 3600, 60, ${clock.now()}::timestamptz, ${clock.now()}::timestamptz
      from generate_series(1, ${CHECKS}) i`.execute(t.db);
    await sql`
      insert into alert_routing (source, tenant_id, channel_ids, channel_names, updated_at)
      select 'check:' || id, ${acme.id}::uuid, array[${pager}::uuid], '{}', ${clock.now()}::timestamptz
      from checks where tenant_id = ${acme.id}::uuid and name like 'bulk-%' and name <= 'bulk-030'`.execute(t.db);
    // The probe's 250 pings, one a minute, the newest last; every tenth has a body.
    await sql`
      insert into pings (check_id, n, created, kind, scheme, remote_addr, method, ua, body)
      select ${probe}::uuid, n, ${clock.now()}::timestamptz - make_interval(mins => ${PINGS} - n), null, 'http', '192.0.2.1', 'GET', 'curl',
             case when n % 10 = 0 then convert_to('run ' || n, 'UTF8') end
      from generate_series(1, ${PINGS}) n`.execute(t.db);
    await sql`update checks set n_pings = ${PINGS}, last_ping = ${clock.now()}::timestamptz, status = 'up' where id = ${probe}::uuid`.execute(t.db);
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  const signedIn = async () => {
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    return c;
  };
  /** The ping numbers in a check page's log, in order. */
  const logNumbers = (html: string) => [...html.slice(html.indexOf('<h2>Ping log</h2>'), html.indexOf('<h2>Status changes</h2>')).matchAll(/<tr><td>(\d+)<\/td>/g)].map((m) => Number(m[1]));

  it('pages the ping log 100 at a time: "Older pings" follows the cursor to the oldest, "Newest pings" comes back', async () => {
    const c = await signedIn();
    const first = await widestOf(() => c.request('GET', `/console/checks/${probe}`));
    expect(first.result.status).toBe(200);
    const newest = logNumbers(first.result.text);
    expect(newest).toHaveLength(100);
    expect(newest[0]).toBe(250);
    expect(newest[99]).toBe(151);
    expect(first.widest).toBeLessThanOrEqual(101);
    expect(first.result.text).toContain(`<a href="/console/checks/${probe}?before=151" rel="next">Older pings</a>`);
    expect(first.result.text).not.toContain('Newest pings');

    const second = await c.request('GET', `/console/checks/${probe}?before=151`);
    expect(logNumbers(second.text)).toEqual(Array.from({ length: 100 }, (_, i) => 150 - i));
    expect(second.text).toContain(`<a href="/console/checks/${probe}?before=51" rel="next">Older pings</a>`);
    expect(second.text).toContain(`<a href="/console/checks/${probe}" rel="first">Newest pings</a>`);
    expect(second.text).toContain(`/console/checks/${probe}/pings/150/body`);

    const last = await c.request('GET', `/console/checks/${probe}?before=51`);
    expect(logNumbers(last.text)).toEqual(Array.from({ length: 50 }, (_, i) => 50 - i));
    expect(last.text).not.toContain('Older pings');
    expect(last.text).toContain('Newest pings');
    const beyond = await c.request('GET', `/console/checks/${probe}?before=1`);
    expect(beyond.text).toContain('No older pings.');
  });

  it("a ping's full body is its own plain-text page, never HTML; another tenant gets a 404", async () => {
    const c = await signedIn();
    const res = await o.app.request(`/console/checks/${probe}/pings/150/body`, { headers: { cookie: c.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toBe('run 150');
    // A ping without a body, and another tenant's view of this one.
    expect((await o.app.request(`/console/checks/${probe}/pings/151/body`, { headers: { cookie: c.cookie } })).status).toBe(404);
    const globex = await newTenant(api, 'globex');
    const other = consoleClient(o);
    await other.signIn(globex.api_key);
    expect((await other.request('GET', `/console/checks/${probe}/pings/150/body`)).status).toBe(404);
  });

  it('a hostile log cursor shows the newest page, never a 500', async () => {
    const c = await signedIn();
    for (const before of ['abc', '-5', '1.5', '%00', '9'.repeat(40), '99999999999999999999', '1e3', '']) {
      const res = await c.request('GET', `/console/checks/${probe}?before=${before}`);
      expect(res.status, before).toBe(200);
      expect(logNumbers(res.text)[0], before).toBe(250);
    }
  });

  it('a channel names the first 20 checks that alert it by name and counts the rest, read in a bounded number of rows', async () => {
    const c = await signedIn();
    const { result: page, widest: rows } = await widestOf(() => c.request('GET', '/console/channels'));
    expect(page.status).toBe(200);
    const row = (name: string) => page.text.slice(page.text.indexOf(`<td>${name}</td>`), page.text.indexOf('</tr>', page.text.indexOf(`<td>${name}</td>`)));
    const named = (html: string) => [...html.matchAll(/<a href="\/console\/checks\/[0-9a-f-]{36}">([^<]+)<\/a>/g)].map((m) => m[1]);
    // Routed: bulk-001 … bulk-030, the first 20 named.
    expect(named(row('acme pager'))).toEqual(Array.from({ length: 20 }, (_, i) => `bulk-${String(i + 1).padStart(3, '0')}`));
    expect(row('acme pager')).toContain('and 10 more');
    // Unrouted: the default channel hears the 270 others and the probe.
    expect(named(row('acme chat'))).toEqual([...Array.from({ length: 20 }, (_, i) => `bulk-${String(i + 31).padStart(3, '0')}`)]);
    expect(row('acme chat')).toContain(`and ${CHECKS - 30 + 1 - 20} more`);
    expect(rows).toBeLessThan(100);
  });

  it('the source picker lists the first 200 checks by name, finds others by name, and keeps a ticked one beyond them', async () => {
    const c = await signedIn();
    const boxes = (html: string) => [...html.matchAll(/name="source:check:[0-9a-f-]{36}" value="on"( checked="")?\s*\/?> <label[^>]*>([^<]+)<\/label>/g)].map((m) => ({ name: m[2], checked: m[1] !== undefined }));
    const { result: page, widest: rows } = await widestOf(() => c.request('GET', `/console/pages/${pageId}`));
    expect(page.status).toBe(200);
    expect(boxes(page.text)).toHaveLength(200);
    expect(boxes(page.text)[0]!.name).toBe('bulk-001');
    expect(page.text).toContain('Find checks by name');
    expect(rows).toBeLessThanOrEqual(201);

    const found = await c.request('GET', `/console/pages/${pageId}?q=bulk-29`);
    expect(boxes(found.text).map((b) => b.name)).toEqual(Array.from({ length: 10 }, (_, i) => `bulk-29${i}`));
    expect(found.text).toContain('value="bulk-29"');
    const none = await c.request('GET', `/console/pages/${pageId}?q=${encodeURIComponent('%_\u0000')}`);
    expect(none.status).toBe(200);
    expect(boxes(none.text)).toEqual([]);

    // "probe" sorts after every bulk-…: beyond the first 200, yet a component listing it shows it ticked.
    const component = await created(api, '/api/v1/components', { page: 'acme', name: 'Probe', sources: [`check:${probe}`] }, acme.api_key);
    const edit = await c.request('GET', `/console/components/${component.id}`);
    expect(boxes(edit.text)).toHaveLength(201);
    expect(boxes(edit.text).filter((b) => b.checked)).toEqual([{ name: 'probe', checked: true }]);
    const searched = await c.request('GET', `/console/components/${component.id}?q=bulk-30`);
    expect(boxes(searched.text)).toEqual([{ name: 'bulk-300', checked: false }, { name: 'probe', checked: true }]);
    // The page names the component's source although it is not among the first 200.
    expect((await c.request('GET', `/console/pages/${pageId}`)).text).toContain(`<a href="/console/checks/${probe}">check probe</a>`);
  });

  it('the tag filter suggests the tags in use, from one bounded query', async () => {
    const c = await signedIn();
    const { result: list, widest: rows } = await widestOf(() => c.request('GET', '/console/checks'));
    const options = [...list.text.slice(list.text.indexOf('<datalist id="tag-choices">'), list.text.indexOf('</datalist>')).matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
    expect(options).toEqual(['bulk', 'team-0', 'team-1', 'team-2', 'team-3', 'team-4', 'team-5', 'team-6']);
    expect(list.text).toContain('list="tag-choices"');
    expect(rows).toBeLessThanOrEqual(51);
    const filtered = await c.request('GET', '/console/checks?tag=team-3');
    expect(filtered.text).toContain('bulk-003');
    expect(filtered.text).not.toContain('bulk-004');
  });
});
