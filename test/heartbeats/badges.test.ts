import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badgeSvg, textWidth } from '../../src/heartbeats/badges.js';
import { testOverdue, type TestOverdue } from '../support/app.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { json } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';

const FORMS = ['svg', 'svg3', 'json', 'json3', 'shields', 'shields3'];

describe(`status badges (healthchecks' /api/v3/badges/ and public badge URLs) on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let admin: string;
  const tenantA = randomUUID();
  const tenantB = randomUUID();
  const keys = {} as { a: string; aRo: string; b: string };
  const v3 = (path: string, init: { method?: string; key?: string; body?: unknown } = {}) =>
    o.app.request(`/api/v3${path}`, {
      method: init.method ?? 'GET',
      headers: { ...(init.key && { 'X-Api-Key': init.key }), 'content-type': 'application/json' },
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    });
  /** A badge URL fetched as a browser would: no key, only the URL. */
  const fetchBadge = (url: string, headers: Record<string, string> = {}) => o.app.request(url.replace('https://overdue.example', ''), { headers });
  const badgesOf = async (key: string) => (await json(await v3('/badges/', { key }))).badges as Record<string, Record<string, string>>;
  const create = async (key: string, body: Record<string, unknown>) => (await json(await v3('/checks/', { method: 'POST', key, body }))).uuid as string;

  let backups: string;
  let reports: string;

  beforeAll(async () => {
    t = await testDatabase();
    o = testOverdue({ database: t, env: { PUBLIC_URL: 'https://overdue.example' } });
    admin = (await o.start()).generatedAdminKey!;
    keys.a = await insertApiKey(t.db, { kind: 'tenant', tenantId: tenantA }, o.clock.now());
    keys.aRo = await insertApiKey(t.db, { kind: 'tenant', tenantId: tenantA, readOnly: true }, o.clock.now());
    keys.b = await insertApiKey(t.db, { kind: 'tenant', tenantId: tenantB }, o.clock.now());
    backups = await create(keys.a, { name: 'Nightly backups of payroll', tags: 'prod db', timeout: 60, grace: 60 });
    reports = await create(keys.a, { name: 'Quarterly reports', tags: 'prod', timeout: 3600, grace: 600 });
    await create(keys.b, { name: 'Tenant B private job', tags: 'prod b-only', timeout: 60, grace: 60 });
    await o.app.request(`/ping/${backups}`);
    await o.app.request(`/ping/${reports}`);
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('lists per tag and for all checks, six forms each, with a read-only key; no key is 401', async () => {
    expect((await v3('/badges/')).status).toBe(401);
    const res = await v3('/badges/', { key: keys.aRo });
    expect(res.status).toBe(200);
    const { badges } = await json(res);
    expect(Object.keys(badges).sort()).toEqual(['*', 'db', 'prod']);
    for (const [tag, forms] of Object.entries(badges as Record<string, Record<string, string>>)) {
      expect(Object.keys(forms)).toEqual(FORMS);
      const suffix = tag === '*' ? '' : `/${tag}`;
      expect(forms.svg).toMatch(new RegExp(`^https://overdue\\.example/badge/[A-Za-z0-9_-]{16}/[A-Za-z0-9_-]{16}-2${suffix.replace('*', '\\*')}\\.svg$`));
      expect(forms.svg3).toBe(forms.svg!.replace('-2', ''));
      expect(forms.json).toBe(forms.svg!.replace(/\.svg$/, '.json'));
      expect(forms.shields3).toBe(forms.svg3!.replace(/\.svg$/, '.shields'));
    }
    // The same URLs every time (they are embedded in READMEs), for any of the tenant's keys.
    expect(await badgesOf(keys.a)).toEqual(badges);
  });

  it('up, then late (grace), then down, in each format; the two-state forms report late as up', async () => {
    const prod = (await badgesOf(keys.a)).prod!;
    const all = (await badgesOf(keys.a))['*']!;
    const body = async (url: string) => {
      const res = await fetchBadge(url);
      expect(res.status).toBe(200);
      return res.text();
    };

    expect(JSON.parse(await body(prod.json3!))).toEqual({ status: 'up', total: 2, grace: 0, down: 0 });
    expect(JSON.parse(await body(prod.shields!))).toEqual({ schemaVersion: 1, label: 'prod', message: 'up', color: 'success' });
    expect(await body(prod.svg3!)).toContain('>up</text>');

    await o.clock.advance(61_000); // backups' period is over: in its grace time
    expect(JSON.parse(await body(prod.json3!))).toEqual({ status: 'late', total: 2, grace: 1, down: 0 });
    expect(JSON.parse(await body(prod.json!))).toEqual({ status: 'up', total: 2, grace: 1, down: 0 });
    expect(JSON.parse(await body(prod.shields3!))).toEqual({ schemaVersion: 1, label: 'prod', message: 'late', color: 'important' });
    expect(JSON.parse(await body(prod.shields!))).toMatchObject({ message: 'up', color: 'success' });
    const late = await body(prod.svg3!);
    expect(late).toContain('>late</text>');
    expect(late).toContain('#fe7d37');
    expect(await body(prod.svg!)).toContain('>up</text>');

    await o.clock.advance(60_000); // grace over: down
    expect(JSON.parse(await body(prod.json3!))).toEqual({ status: 'down', total: 2, grace: 0, down: 1 });
    expect(JSON.parse(await body(prod.json!))).toEqual({ status: 'down', total: 2, grace: 0, down: 1 });
    expect(JSON.parse(await body(prod.shields!))).toEqual({ schemaVersion: 1, label: 'prod', message: 'down', color: 'critical' });
    expect(await body(prod.svg!)).toContain('>down</text>');
    expect(JSON.parse(await body(all.json3!))).toEqual({ status: 'down', total: 2, grace: 0, down: 1 });
    expect(JSON.parse(await body(all.shields3!))).toMatchObject({ label: 'status', message: 'down' });

    // Back up after a ping.
    await o.app.request(`/ping/${backups}`);
    expect(JSON.parse(await body(prod.json3!))).toMatchObject({ status: 'up', down: 0 });

    // No badge says which checks it counts.
    for (const url of [...Object.values(prod), ...Object.values(all)]) {
      const text = await body(url);
      expect(text).not.toMatch(/Nightly|payroll|Quarterly|backups|reports/);
      expect(text).not.toContain(backups);
    }
  });

  it('are cacheable: Cache-Control and an ETag that a conditional request revalidates; a new state is a new ETag', async () => {
    const { db } = await badgesOf(keys.a);
    const first = await fetchBadge(db!.json3!);
    expect(first.headers.get('cache-control')).toBe('public, max-age=60');
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await fetchBadge(db!.json3!, { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');
    expect((await fetchBadge(db!.json3!, { 'If-None-Match': `W/${etag}, "other"` })).status).toBe(304);
    expect((await fetchBadge(db!.svg3!)).headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');

    await o.clock.advance(61_000);
    const later = await fetchBadge(db!.json3!, { 'If-None-Match': etag });
    expect(later.status).toBe(200);
    expect(later.headers.get('etag')).not.toBe(etag);
    expect(await json(later)).toMatchObject({ status: 'late' });
  });

  it('tenant isolation: another tenant lists only its own tags and counts only its own checks', async () => {
    const a = await badgesOf(keys.a);
    const b = await badgesOf(keys.b);
    expect(Object.keys(b).sort()).toEqual(['*', 'b-only', 'prod']);
    const bProd = await json(await fetchBadge(b.prod!.json3!));
    expect(bProd).toEqual({ status: 'up', total: 1, grace: 0, down: 0 }); // its one new check, not A's two
    expect(b.prod!.json3).not.toBe(a.prod!.json3);

    const idOf = (url: string) => /\/badge\/([^/]+)\//.exec(url)![1]!;
    const aId = idOf(a.prod!.json3!);
    const bId = idOf(b.prod!.json3!);
    expect(aId).not.toBe(bId);
    // B's signature under A's id, A's under B's, a tag's signature for another tag, an unknown id: all one 404.
    const probes = [
      a.prod!.json3!.replace(aId, bId),
      b.prod!.json3!.replace(bId, aId),
      a.prod!.json3!.replace('/prod.json', '/db.json'),
      a['*']!.json3!.replace(/\.json$/, '/prod.json'),
      a.db!.json3!.replace('/db.json', '.json'),
      a.prod!.json3!.replace(aId, 'AAAAAAAAAAAAAAAA'),
      b['*']!.json3!.replace(bId, aId),
      'https://overdue.example/badge/nothing.svg',
      `${a.prod!.json3!}x`,
    ];
    for (const url of probes) {
      const res = await fetchBadge(url);
      expect(res.status, url).toBe(404);
      expect(await json(res)).toEqual({ error: 'not found' });
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('a tenant asking from several requests at once gets one badge id (insert-or-nothing, then read)', async () => {
    const tenantC = randomUUID();
    const key = await insertApiKey(t.db, { kind: 'tenant', tenantId: tenantC }, o.clock.now());
    const lists = await Promise.all(Array.from({ length: 5 }, () => badgesOf(key)));
    for (const l of lists) expect(l).toEqual(lists[0]);
    const rows = await t.db.selectFrom('badge_keys').select('badge_id').where('tenant_id', '=', tenantC).execute();
    expect(rows).toHaveLength(1);
    expect(lists[0]!['*']!.svg).toContain(`/badge/${rows[0]!.badge_id}/`);
  });

  it('the admin key lists the platform\'s own badges, never a tenant\'s tags', async () => {
    const mine = await badgesOf(admin);
    expect(mine).toHaveProperty('*');
    expect(Object.keys(mine)).not.toContain('db');
    expect(Object.keys(mine)).not.toContain('b-only');
  });

  it('escapes the tag in the SVG and keys it in the URL; the width grows linearly with the text', async () => {
    const odd = await create(keys.a, { name: 'odd', tags: 'a<b>&"c\'/é', timeout: 60, grace: 60 });
    await o.app.request(`/ping/${odd}`);
    const forms = (await badgesOf(keys.a))['a<b>&"c\'/é']!;
    expect(forms.svg3).toContain('/a%3Cb%3E%26%22c\'%2F%C3%A9.svg');
    const svg = await (await fetchBadge(forms.svg3!)).text();
    expect(svg).toContain('&lt;b&gt;&amp;&quot;c&#39;/é');
    expect(svg).not.toContain('<b>');
    expect(JSON.parse(await (await fetchBadge(forms.shields3!)).text())).toMatchObject({ label: 'a<b>&"c\'/é', message: 'up' });

    const width = (s: string) => Number(/^<svg [^>]*width="(\d+)"/.exec(s)![1]);
    expect(width(svg)).toBe(textWidth('a<b>&"c\'/é') + textWidth('up'));
    const w1 = width(badgeSvg('x', 'up'));
    const w10 = width(badgeSvg('x'.repeat(10), 'up'));
    const w19 = width(badgeSvg('x'.repeat(19), 'up'));
    expect(w10 - w1).toBe(w19 - w10);
    expect(w10).toBeGreaterThan(w1);
  });
});
