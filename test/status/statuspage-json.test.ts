import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSignal } from '../../src/signals/index.js';
import { advanceMaintenances } from '../../src/incidents/index.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { apiClient, created, type Api } from '../support/http.js';
import { expectationSource, ISO_MS } from '../incidents/fixture.js';

const PUBLIC_URL = 'https://status.example.test';
const DOCS = ['summary.json', 'status.json', 'components.json', 'incidents.json', 'incidents/unresolved.json', 'scheduled-maintenances.json', 'scheduled-maintenances/upcoming.json', 'scheduled-maintenances/active.json'];
const sorted = (a: string[]) => [...a].sort();
const PAGE_KEYS = sorted(['id', 'name', 'url', 'time_zone', 'updated_at']);
const COMPONENT_KEYS = ['id', 'name', 'status', 'created_at', 'updated_at', 'position', 'description', 'showcase', 'start_date', 'group_id', 'page_id', 'group', 'only_show_if_degraded'];
const INCIDENT_KEYS = ['id', 'name', 'status', 'impact', 'created_at', 'updated_at', 'monitoring_at', 'resolved_at', 'started_at', 'shortlink', 'page_id', 'incident_updates', 'components'];
const UPDATE_KEYS = sorted(['id', 'status', 'body', 'incident_id', 'created_at', 'updated_at', 'display_at', 'affected_components', 'deliver_notifications', 'custom_tweet', 'tweet_id']);
const COMPONENT_STATUSES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'];
const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved', 'postmortem'];
const MAINTENANCE_STATUSES = ['scheduled', 'in_progress', 'verifying', 'completed'];
const isoOrNull = (v: unknown) => expect(v === null || ISO_MS.test(v as string), `${v}`).toBe(true);

/** Every tag closed in order, one root, only XML's entities, no characters XML forbids. Returns the problems found. */
function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  for (const c of new Set(xml.match(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g))) problems.push(`character U+${c.charCodeAt(0).toString(16).padStart(4, '0')} is not allowed in XML`);
  const entities = (s: string, where: string) => {
    for (const m of s.matchAll(/&([^;\s<&]*);?/g)) if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$/.test(m[0])) problems.push(`bad entity ${m[0]} in ${where}`);
  };
  const decl = /^<\?xml[^?]*\?>/.exec(xml);
  if (!decl) problems.push('no XML declaration at the start');
  let i = decl ? decl[0].length : 0;
  const stack: string[] = [];
  let roots = 0;
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    entities(text, 'text');
    if (text.includes(']]>')) problems.push("']]>' in text");
    if (text.trim() && stack.length === 0) problems.push(`text outside the root: ${text.slice(0, 20)}`);
    if (lt === -1) break;
    const special = ([['<!--', '-->'], ['<![CDATA[', ']]>'], ['<?', '?>']] as const).find(([open]) => xml.startsWith(open, lt));
    if (special) {
      const end = xml.indexOf(special[1], lt + special[0].length);
      if (end === -1) return [...problems, `unterminated ${special[0]}`];
      i = end + special[1].length;
      continue;
    }
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    if (!m) return [...problems, `malformed markup at ${lt}: ${xml.slice(lt, lt + 30)}`];
    const [, close, name, attrs, selfClose] = m;
    entities(attrs!, `attributes of <${name}>`);
    const attrNames = [...attrs!.matchAll(/([A-Za-z_][\w.:-]*)\s*=/g)].map((a) => a[1]);
    if (new Set(attrNames).size !== attrNames.length) problems.push(`duplicate attribute in <${name}>`);
    if (close) {
      if (attrs || selfClose) problems.push(`malformed close tag </${name}>`);
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`);
    } else {
      if (stack.length === 0 && ++roots > 1) problems.push(`second root <${name}>`);
      if (!selfClose) stack.push(name!);
    }
    i = lt + m[0].length;
  }
  if (stack.length) problems.push(`unclosed ${stack.map((s) => `<${s}>`).join('')}`);
  if (roots === 0) problems.push('no root element');
  return problems;
}

describe(`Statuspage v2 JSON and feeds on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let api: Api;
  const clock = new ManualClock('2025-05-19T12:00:00.000Z');
  const at = (min: number) => new Date(Date.parse('2025-05-19T12:00:00.000Z') + min * 60_000).toISOString();
  const ids: Record<string, Record<string, string>> = { default: {}, acme: {} };
  const prefix = (slug: string) => (slug === 'default' ? '' : `/s/${slug}`);
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await o.app.request(path, { headers });
    return { res, text: await res.text() };
  };
  const doc = async (slug: string, name: string) => JSON.parse((await get(`${prefix(slug)}/api/v2/${name}`)).text);

  beforeAll(async () => {
    t = await testDatabase();
    o = await drivenOverdue({ database: t, clock, env: { PUBLIC_URL } });
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
    await created(api, '/api/v1/pages', { slug: 'acme', name: 'Acme', time_zone: 'Europe/Berlin' });
    const each = async (fn: (slug: string, x: Record<string, string>) => Promise<void>) => {
      for (const slug of ['default', 'acme']) await fn(slug, ids[slug]!);
      await clock.advance(60_000);
    };
    const comp = async (slug: string, b: Record<string, unknown>) => (await created(api, '/api/v1/components', { page: slug, ...b })).id as string;
    const post = (id: string, b: Record<string, unknown>) => api('POST', `/api/v1/incidents/${id}/updates`, b);
    await each(async (slug, x) => {
      x.G = await comp(slug, { name: 'Billing', group: true });
      x.c1 = await comp(slug, { name: 'Invoice generation', group_id: x.G });
      x.c2 = await comp(slug, { name: 'Payments', group_id: x.G, description: 'Card payments' });
      x.c3 = await comp(slug, { name: 'API', showcase: false });
    });
    const maintenance = (slug: string, name: string, from: number, until: number, components: string[]) =>
      created(api, '/api/v1/maintenances', { page: slug, name, body: `${name} planned.`, scheduled_for: at(from), scheduled_until: at(until), components }).then((m) => m.id as string);
    await each(async (slug, x) => void (x.M1 = await maintenance(slug, 'M1', 30, 40, [x.c3!])));
    await each(async (slug, x) => void (x.M2 = await maintenance(slug, 'M2', 30, 600, [x.c3!])));
    await each(async (slug, x) => void (x.M3 = await maintenance(slug, 'M3', 30, 600, [x.c3!])));
    await each(async (slug, x) => void (x.M4 = await maintenance(slug, 'M4', 2880, 2940, [x.c1!, x.c2!])));
    const incident = (slug: string, name: string, b: Record<string, unknown>) => created(api, '/api/v1/incidents', { page: slug, name, status: 'investigating', body: `${name} is being looked into.`, ...b }).then((i) => i.id as string);
    await each(async (slug, x) => void (x.I1 = await incident(slug, 'I1', { components: { [x.c1!]: 'degraded_performance' } })));
    await each(async (slug, x) => void (x.I2 = await incident(slug, 'I2', { impact: 'minor' })));
    await each(async (slug, x) => void (x.I3 = await incident(slug, 'I3', { components: { [x.c1!]: 'major_outage' } })));
    await each(async (slug, x) => void (x.I4 = await incident(slug, 'I4', { components: { [x.c2!]: 'partial_outage' } })));
    await each(async (slug, x) => void (x.I5 = await incident(slug, 'I5', { impact: 'minor' })));
    await each(async (_slug, x) => void (await post(x.I1!, { status: 'resolved', body: 'Fixed.' }), await post(x.I2!, { status: 'resolved', body: 'Fixed.' })));
    await each(async (_slug, x) => void (await api('PUT', `/api/v1/incidents/${x.I2}/postmortem`, { body: 'What happened.' }), await post(x.I4!, { status: 'identified', body: 'Found it.' })));
    await each(async (_slug, x) => void (await post(x.I5!, { status: 'monitoring', body: 'Watching.' })));
    await clock.set(at(31));
    expect(await advanceMaintenances(t.db, clock.now())).toEqual({ started: 6, completed: 0 });
    await clock.advance(60_000);
    await each(async (_slug, x) => void (await post(x.M3!, { status: 'verifying', body: 'Checking.' })));
    await clock.set(at(41));
    expect(await advanceMaintenances(t.db, clock.now())).toEqual({ started: 0, completed: 2 });
    await o.pageCache.refreshVersions();
  });
  afterAll(async () => void (await o?.stop(), await t?.close()));

  for (const slug of ['default', 'acme']) {
    it(`${slug}: every document, field by field`, async () => {
      const x = ids[slug]!;
      const d = Object.fromEntries(await Promise.all(DOCS.map(async (n) => [n, await doc(slug, n)] as const)));
      const page = d['status.json'].page;
      expect(Object.keys(page).sort()).toEqual(PAGE_KEYS);
      expect(page).toMatchObject({ name: slug === 'default' ? 'Overdue' : 'Acme', url: slug === 'default' ? PUBLIC_URL : `${PUBLIC_URL}/s/acme`, time_zone: slug === 'default' ? 'UTC' : 'Europe/Berlin', updated_at: at(41) });
      const expectedKeys: Record<string, string[]> = {
        'summary.json': ['page', 'status', 'components', 'incidents', 'scheduled_maintenances'], 'status.json': ['page', 'status'], 'components.json': ['page', 'components'],
        'incidents.json': ['page', 'incidents'], 'incidents/unresolved.json': ['page', 'incidents'],
      };
      for (const n of DOCS) {
        expect(Object.keys(d[n]).sort(), n).toEqual(sorted(expectedKeys[n] ?? ['page', 'scheduled_maintenances']));
        expect(d[n].page, n).toEqual(page);
      }
      // Roll-up: leaves major_outage + partial_outage + under_maintenance → major, raised to critical by I3 (critical, unresolved).
      expect(d['status.json'].status).toEqual({ indicator: 'critical', description: 'Major System Outage' });
      expect(d['summary.json'].status).toEqual(d['status.json'].status);

      const components: any[] = d['components.json'].components;
      expect(d['summary.json'].components).toEqual(components);
      expect(components.map((c) => c.id)).toEqual([x.G, x.c1, x.c2, x.c3]);
      const byId = new Map(components.map((c) => [c.id, c]));
      for (const c of components) {
        expect(Object.keys(c).sort(), c.name).toEqual(sorted(c.group ? [...COMPONENT_KEYS, 'components'] : COMPONENT_KEYS));
        expect(COMPONENT_STATUSES).toContain(c.status);
        [c.created_at, c.updated_at].forEach((v) => expect(v).toMatch(ISO_MS));
        expect(c).toMatchObject({ page_id: page.id, start_date: null, only_show_if_degraded: false });
        expect(Number.isInteger(c.position)).toBe(true);
        if (c.group) expect(c.components).toEqual(components.filter((k) => k.group_id === c.id).map((k) => k.id));
      }
      expect(byId.get(x.G)).toMatchObject({ group: true, group_id: null, components: [x.c1, x.c2], description: null });
      expect(byId.get(x.c1)).toMatchObject({ group: false, group_id: x.G, status: 'major_outage', showcase: true, description: null });
      expect(byId.get(x.c2)).toMatchObject({ group_id: x.G, status: 'partial_outage', description: 'Card payments' });
      expect(byId.get(x.c3)).toMatchObject({ group_id: null, status: 'under_maintenance', showcase: false });

      const checkIncident = (i: any, kind: 'incident' | 'maintenance') => {
        expect(Object.keys(i).sort(), i.name).toEqual(sorted(kind === 'incident' ? INCIDENT_KEYS : [...INCIDENT_KEYS, 'scheduled_for', 'scheduled_until']));
        expect(kind === 'incident' ? INCIDENT_STATUSES : MAINTENANCE_STATUSES).toContain(i.status);
        expect(kind === 'incident' ? ['none', 'minor', 'major', 'critical'] : ['maintenance']).toContain(i.impact);
        [i.created_at, i.updated_at, i.started_at].forEach((v) => expect(v).toMatch(ISO_MS));
        [i.monitoring_at, i.resolved_at].forEach(isoOrNull);
        if (kind === 'maintenance') [i.scheduled_for, i.scheduled_until].forEach((v) => expect(v).toMatch(ISO_MS));
        expect(i.resolved_at === null, i.name).toBe(!['resolved', 'postmortem', 'completed'].includes(i.status));
        expect(i).toMatchObject({ page_id: page.id, shortlink: expect.stringMatching(/^\S+$/) });
        for (const c of i.components) expect(c, `${i.name} shows its components as they are now`).toEqual(byId.get(c.id));
        const displayed = i.incident_updates.map((u: any) => u.display_at);
        expect(displayed, `${i.name} updates newest first`).toEqual([...displayed].sort().reverse());
        expect(i.incident_updates.at(-1).created_at).toBe(i.created_at);
        for (const u of i.incident_updates) {
          expect(Object.keys(u).sort()).toEqual(UPDATE_KEYS);
          expect(u).toMatchObject({ incident_id: i.id, custom_tweet: null, tweet_id: null, deliver_notifications: true, body: expect.any(String) });
          expect(kind === 'incident' ? INCIDENT_STATUSES : MAINTENANCE_STATUSES).toContain(u.status);
          [u.created_at, u.updated_at, u.display_at].forEach((v) => expect(v).toMatch(ISO_MS));
          expect(u.affected_components === null || u.affected_components.length > 0).toBe(true);
          for (const a of u.affected_components ?? []) {
            expect(Object.keys(a).sort()).toEqual(['code', 'name', 'new_status', 'old_status']);
            expect(byId.has(a.code)).toBe(true);
            expect(COMPONENT_STATUSES).toEqual(expect.arrayContaining([a.old_status, a.new_status]));
          }
        }
      };
      const list = (n: string, key: string) => d[n][key].map((i: any) => i.id);
      d['incidents.json'].incidents.forEach((i: any) => checkIncident(i, 'incident'));
      d['scheduled-maintenances.json'].scheduled_maintenances.forEach((i: any) => checkIncident(i, 'maintenance'));
      expect(list('incidents.json', 'incidents')).toEqual([x.I5, x.I4, x.I3, x.I2, x.I1]);
      expect(list('incidents/unresolved.json', 'incidents')).toEqual([x.I5, x.I4, x.I3]);
      expect(list('summary.json', 'incidents')).toEqual([x.I5, x.I4, x.I3]);
      expect(list('scheduled-maintenances.json', 'scheduled_maintenances')).toEqual([x.M4, x.M3, x.M2, x.M1]);
      expect(list('scheduled-maintenances/upcoming.json', 'scheduled_maintenances')).toEqual([x.M4]);
      expect(list('scheduled-maintenances/active.json', 'scheduled_maintenances')).toEqual([x.M3, x.M2]);
      expect(sorted(list('summary.json', 'scheduled_maintenances'))).toEqual(sorted([x.M4!, x.M3!, x.M2!]));
      const all = [...d['incidents.json'].incidents, ...d['scheduled-maintenances.json'].scheduled_maintenances];
      const one = (id: string) => all.find((i) => i.id === id);
      for (const [n, key] of [['summary.json', 'incidents'], ['summary.json', 'scheduled_maintenances'], ['incidents/unresolved.json', 'incidents'], ['scheduled-maintenances/upcoming.json', 'scheduled_maintenances'], ['scheduled-maintenances/active.json', 'scheduled_maintenances']] as const) {
        for (const i of d[n][key]) expect(i, `${n} ${i.name}`).toEqual(one(i.id));
      }
      expect(one(x.I1!)).toMatchObject({ status: 'resolved', impact: 'minor', monitoring_at: null, resolved_at: at(10), created_at: at(5) });
      expect(one(x.I2!).incident_updates.map((u: any) => u.status)).toEqual(['postmortem', 'resolved', 'investigating']);
      expect(one(x.I3!)).toMatchObject({ status: 'investigating', impact: 'critical', components: [byId.get(x.c1)] });
      expect(one(x.I3!).incident_updates[0].affected_components).toEqual([{ code: x.c1, name: 'Invoice generation', old_status: 'degraded_performance', new_status: 'major_outage' }]);
      expect(one(x.I4!)).toMatchObject({ status: 'identified', impact: 'major' });
      expect(one(x.I5!)).toMatchObject({ status: 'monitoring', monitoring_at: at(12), resolved_at: null, components: [] });
      expect(one(x.M1!)).toMatchObject({ status: 'completed', scheduled_for: at(30), scheduled_until: at(40), resolved_at: at(41) });
      expect(one(x.M3!).incident_updates.map((u: any) => u.status)).toEqual(['verifying', 'in_progress', 'scheduled']);
      expect(one(x.M4!)).toMatchObject({ status: 'scheduled', components: [byId.get(x.c1), byId.get(x.c2)] });
    });
  }

  it('children of a group are positioned within the group (reference §2: position is within the parent)', async () => {
    const byId = new Map((await doc('acme', 'components.json')).components.map((c: any) => [c.id, c]));
    expect([ids.acme!.c1, ids.acme!.c2].map((id) => (byId.get(id) as any).position)).toEqual([1, 2]);
  });

  it('summary.json lists scheduled maintenances newest first, like every other list', async () => {
    expect((await doc('acme', 'summary.json')).scheduled_maintenances.map((m: any) => m.id)).toEqual([ids.acme!.M4, ids.acme!.M3, ids.acme!.M2]);
  });

  it('an unresolved incident raises an all-operational page to its impact; resolving lowers it again', async () => {
    await created(api, '/api/v1/pages', { slug: 'calm', name: 'Calm' });
    await created(api, '/api/v1/components', { page: 'calm', name: 'Everything' });
    const status = async () => (await doc('calm', 'status.json')).status;
    expect(await status()).toEqual({ indicator: 'none', description: 'All Systems Operational' });
    const minor = await created(api, '/api/v1/incidents', { page: 'calm', name: 'Slow', status: 'investigating', impact: 'minor', body: 'x' });
    expect(await status()).toEqual({ indicator: 'minor', description: 'Minor Service Outage' });
    const major = await created(api, '/api/v1/incidents', { page: 'calm', name: 'Partly down', status: 'identified', impact: 'major', body: 'x' });
    expect(await status()).toEqual({ indicator: 'major', description: 'Partial System Outage' });
    const critical = await created(api, '/api/v1/incidents', { page: 'calm', name: 'Down', status: 'monitoring', impact: 'critical', body: 'x' });
    expect((await doc('calm', 'summary.json')).status).toEqual({ indicator: 'critical', description: 'Major System Outage' });
    for (const i of [critical, major]) await api('POST', `/api/v1/incidents/${i.id}/updates`, { status: 'resolved', body: 'ok' });
    expect(await status()).toEqual({ indicator: 'minor', description: 'Minor Service Outage' });
    await api('POST', `/api/v1/incidents/${minor.id}/updates`, { status: 'resolved', body: 'ok' });
    expect(await status()).toEqual({ indicator: 'none', description: 'All Systems Operational' });
  });

  it('headers: JSON content type, cache control, ETag and If-None-Match → 304; unknown page → 404 JSON', async () => {
    for (const path of DOCS.flatMap((n) => [`/api/v2/${n}`, `/s/acme/api/v2/${n}`])) {
      const { res, text } = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^application\/json(;|$)/);
      expect(res.headers.get('cache-control'), path).toBe('public, max-age=10, stale-while-revalidate=60');
      const etag = res.headers.get('etag')!;
      expect(etag, path).toMatch(/^"[^"]+"$/);
      expect(() => JSON.parse(text)).not.toThrow();
      const again = await get(path, { 'if-none-match': etag });
      expect([again.res.status, again.text], path).toEqual([304, '']);
      expect(again.res.headers.get('etag')).toBe(etag);
      expect((await get(path, { 'if-none-match': `"stale", ${etag}` })).res.status).toBe(304);
      expect((await get(path, { 'if-none-match': '"stale"' })).res.status).toBe(200);
    }
    for (const path of ['/s/nope/api/v2/summary.json', '/s/nope/api/v2/incidents/unresolved.json', '/s/nope/history.atom']) {
      const { res, text } = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(JSON.parse(text).error).toEqual({ code: 'not_found', message: expect.any(String) });
    }
  });

  it('the well-formedness check itself rejects malformed XML', () => {
    const ok = '<?xml version="1.0"?><a x="1"><b/>t &amp; &#39;</a>';
    expect(xmlProblems(ok)).toEqual([]);
    for (const bad of ['<?xml version="1.0"?><a><b></a></b>', '<?xml version="1.0"?><a>&</a>', '<?xml version="1.0"?><a>&nbsp;</a>', '<?xml version="1.0"?><a></a><b/>', '<?xml version="1.0"?><a><b></a>', '<?xml version="1.0"?><a x="1" x="2"/>', '<?xml version="1.0"?><a>\u0007</a>', '<?xml version="1.0"?><a <b></a>', '<a/>']) {
      expect(xmlProblems(bad), bad).not.toEqual([]);
    }
  });

  it('feeds: Atom and RSS, one entry per incident and maintenance, newest first, hostile names escaped, well-formed', async () => {
    await created(api, '/api/v1/pages', { slug: 'feeds', name: 'Feeds & <Friends>' });
    const names = ['<script>alert("x")</script>', 'Tom & Jerry\'s "bad" day', ']]> <![CDATA[ x', '<!-- not a comment --> &amp; &nbsp;'];
    for (const name of names) {
      await created(api, '/api/v1/incidents', { page: 'feeds', name, status: 'investigating', body: '<b>bold?</b> **bold** [x](https://e.test/?a=1&b=2)' });
      await clock.advance(60_000);
    }
    await created(api, '/api/v1/maintenances', { page: 'feeds', name: 'Window <i>', body: 'b', scheduled_for: at(5000), scheduled_until: at(5060) });
    for (const [feed, type, entry, root] of [['history.atom', 'application/atom+xml', 'entry', '<feed xmlns="http://www.w3.org/2005/Atom">'], ['history.rss', 'application/rss+xml', 'item', '<rss version="2.0">']] as const) {
      const { res, text } = await get(`/s/feeds/${feed}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(new RegExp(`^${type.replace('+', '\\+')}(;|$)`));
      expect(xmlProblems(text), feed).toEqual([]);
      expect(text).toContain(root);
      expect(text).not.toMatch(/<script|<b>|<i>|<!-- not/);
      const titles = [...text.matchAll(new RegExp(`<${entry}>(?:<id>[^<]*</id>)?<title>([^<]*)</title>`, 'g'))].map((m) => m[1]);
      expect(titles, feed).toEqual(['Window &lt;i&gt;', ...[...names].reverse().map((n) => n.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'))]);
      expect(text).toContain(`${PUBLIC_URL}/s/feeds/incidents/`);
    }
    for (const feed of ['/history.atom', '/history.rss', '/s/acme/history.atom', '/s/acme/history.rss']) {
      const { text } = await get(feed);
      expect(xmlProblems(text), feed).toEqual([]);
      expect(text.match(/<entry>|<item>/g)).toHaveLength(9);
    }
  });

  it('feeds stay well-formed when a name holds control characters (API input or a monitor’s summary)', async () => {
    await created(api, '/api/v1/pages', { slug: 'ctl', name: 'Control' });
    await expectationSource(t.db, 'ctl-check', 'platform', clock.now());
    await created(api, '/api/v1/components', { page: 'ctl', name: 'Jobs', sources: ['expectation:ctl-check'] });
    const res = await api('POST', '/api/v1/incidents', { page: 'ctl', name: 'Bell \u0007 here', status: 'investigating', body: 'Form feed \u000c here' });
    expect([201, 400]).toContain(res.status);
    await recordSignal(t.db, { source: 'expectation:ctl-check', kind: 'failing', tenantId: null, component: 'jobs', severity: 'major', summary: 'Heartbeat x is down (exit\u001b[31m 1)', evidence: {}, likelyCause: null }, clock.now());
    await o.incidents.tick();
    expect((await doc('ctl', 'incidents.json')).incidents.length).toBeGreaterThan(0);
    for (const feed of ['history.atom', 'history.rss']) {
      const { text } = await get(`/s/ctl/${feed}`);
      expect(xmlProblems(text), feed).toEqual([]);
      // The monitor's summary is private: the public title comes from the component.
      expect(text).toContain('Partial outage: Jobs');
      expect(text).not.toContain('Heartbeat x');
    }
  });
});
