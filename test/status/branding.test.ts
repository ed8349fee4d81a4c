import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { apiClient, created, ok, type Api } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';

const DAY = 86_400_000;

/** The public page's look through the API (logo, accent), its CSP, and what the page says per state. */
describe(`status page branding and states on ${backend}`, () => {
  const clock = new ManualClock('2025-07-01T12:00:00Z');
  let t: TestDatabase;
  let o: TestOverdue;
  let api: Api;

  const html = async (path = '/s/brand') => {
    await clock.jump(new Date(clock.now().getTime() + 61_000)); // past the once-a-minute re-render
    const res = await o.app.request(path);
    expect(res.status).toBe(200);
    return { body: await res.text(), csp: res.headers.get('content-security-policy') ?? '' };
  };
  const banner = (body: string) => /<div class="banner t-([a-z]+)" role="status"><span class="icon" aria-hidden="true">(.)<\/span> ([^<]+)<\/div>/.exec(body)?.slice(1);

  beforeAll(async () => {
    t = await testDatabase();
    o = await drivenOverdue({ database: t, clock });
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('takes a logo URL and an accent colour on create and update; the page shows them, and its CSP allows exactly that logo', async () => {
    const page = await created(api, '/api/v1/pages', { slug: 'brand', name: 'Brand Co', logo_url: 'https://cdn.example.com/img/logo.svg?v=2', accent_color: '#6E40C9' });
    expect(page).toMatchObject({ logo_url: 'https://cdn.example.com/img/logo.svg?v=2', accent_color: '#6e40c9' });
    let { body, csp } = await html();
    expect(body).toContain('<img src="https://cdn.example.com/img/logo.svg?v=2" alt="" height="40" referrerpolicy="no-referrer"/>');
    expect(body).toContain(':root{--accent:#6e40c9}');
    expect(body).toMatch(/@media \(prefers-color-scheme:dark\)\{:root\{--accent:#[0-9a-f]{6}\}\}/);
    expect(csp).toContain('img-src https://cdn.example.com/img/logo.svg;');
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+' 'sha256-[A-Za-z0-9+/=]+'; script-src 'sha256-[A-Za-z0-9+/=]+'; img-src /);
    expect(csp).not.toMatch(/unsafe-inline|\*|https:(?!\/\/)/);

    // A path with characters a CSP source may not hold is percent-encoded there; the page keeps the URL.
    const patched = await ok(api('PATCH', `/api/v1/pages/${page.id}`, { logo_url: 'https://cdn.example.com/a;b,c.png', accent_color: null }));
    expect(patched).toMatchObject({ logo_url: 'https://cdn.example.com/a;b,c.png', accent_color: null, name: 'Brand Co' });
    ({ body, csp } = await html());
    expect(csp).toContain('img-src https://cdn.example.com/a%3Bb%2Cc.png;');
    expect(body).not.toContain('--accent:#6e40c9');

    await ok(api('PATCH', `/api/v1/pages/${page.id}`, { logo_url: null }));
    ({ body, csp } = await html());
    expect(body).not.toContain('<img');
    expect(csp).toContain("img-src 'none'");
    // The Statuspage JSON stays as it was: no branding in it.
    const summary = await (await o.app.request('/s/brand/api/v2/summary.json')).json();
    expect(Object.keys(summary.page).sort()).toEqual(['id', 'name', 'time_zone', 'updated_at', 'url']);
  });

  it('refuses a bad logo or an accent without AA contrast with 400, and changes nothing', async () => {
    const page = await created(api, '/api/v1/pages', { slug: 'strict', name: 'Strict', logo_url: 'https://example.com/l.png', accent_color: '#0b5cad' });
    const before = (await (await o.app.request('/s/strict')).text()).length;
    const badOnes: [Record<string, unknown>, RegExp][] = [
      [{ logo_url: 'http://example.com/l.png' }, /https/],
      [{ logo_url: 'javascript:alert(1)' }, /https/],
      [{ logo_url: 'https://user:pw@example.com/l.png' }, /password/],
      [{ logo_url: `https://example.com/${'a'.repeat(2040)}` }, /2048/],
      [{ logo_url: 'not a url' }, /https URL/],
      [{ accent_color: '#ffff00' }, /contrast of 1\.\d\d:1/],
      [{ accent_color: '#58a6ff' }, /contrast/],
      [{ accent_color: 'red' }, /#rrggbb/],
      [{ accent_color: '#12345' }, /#rrggbb/],
      [{ name: 'Renamed', accent_color: '#eeeeee' }, /contrast/],
    ];
    for (const [body, message] of badOnes) {
      const res = await api('PATCH', `/api/v1/pages/${page.id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    const create = await api('POST', '/api/v1/pages', { slug: 'never', name: 'Never', accent_color: '#ffff00' });
    expect(create.status).toBe(400);
    const pages = (await ok(api('GET', '/api/v1/pages'))).data;
    expect(pages.map((p: { slug: string }) => p.slug)).not.toContain('never');
    expect(pages.find((p: { slug: string }) => p.slug === 'strict')).toMatchObject({ name: 'Strict', logo_url: 'https://example.com/l.png', accent_color: '#0b5cad' });
    expect((await (await o.app.request('/s/strict')).text()).length).toBe(before);
  });

  it('the banner says each overall state in colour, icon and words', async () => {
    await created(api, '/api/v1/pages', { slug: 'states', name: 'States' });
    const a = await created(api, '/api/v1/components', { page: 'states', name: 'A' });
    const b = await created(api, '/api/v1/components', { page: 'states', name: 'B' });
    const set = async (sa: string, sb: string) => {
      await ok(api('PATCH', `/api/v1/components/${a.id}`, { status: sa }));
      await ok(api('PATCH', `/api/v1/components/${b.id}`, { status: sb }));
      return banner((await html('/s/states')).body);
    };
    expect(await set('operational', 'operational')).toEqual(['ok', '✓', 'All Systems Operational']);
    expect(await set('degraded_performance', 'operational')).toEqual(['minor', '!', 'Partially Degraded Service']);
    expect(await set('partial_outage', 'partial_outage')).toEqual(['major', '▲', 'Partial System Outage']);
    expect(await set('major_outage', 'major_outage')).toEqual(['critical', '✕', 'Major System Outage']);
    expect(await set('under_maintenance', 'operational')).toEqual(['maintenance', '⚙', 'Service Under Maintenance']);
  });

  it('an unresolved incident is never green, whatever its impact; a resolved one is', async () => {
    await created(api, '/api/v1/pages', { slug: 'tones', name: 'Tones' });
    const c = await created(api, '/api/v1/components', { page: 'tones', name: 'Web' });
    const tones: Record<string, string> = {};
    for (const impact of ['none', 'minor', 'major', 'critical']) {
      const i = await created(api, '/api/v1/incidents', { page: 'tones', name: `Impact ${impact}`, status: 'investigating', impact, body: 'Looking.', components: { [c.id]: 'degraded_performance' } });
      const page = await (await o.app.request(`/s/tones/incidents/${i.id}`)).text();
      tones[impact] = /<article class="card t-([a-z]+)">/.exec(page)![1]!;
      expect(page).toContain('<span class="badge">Investigating</span>');
      await ok(api('POST', `/api/v1/incidents/${i.id}/updates`, { status: 'resolved', body: 'Fixed.' }), 201);
      const after = await (await o.app.request(`/s/tones/incidents/${i.id}`)).text();
      expect(/<article class="card t-([a-z]+)">/.exec(after)![1]).toBe('ok');
    }
    expect(tones).toEqual({ none: 'minor', minor: 'minor', major: 'major', critical: 'critical' });
  });

  it('always 90 slots per component: the days before it existed say "No data", in a neutral tone', async () => {
    await created(api, '/api/v1/pages', { slug: 'slots', name: 'Slots' });
    await created(api, '/api/v1/components', { page: 'slots', name: 'New' });
    await clock.jump(new Date(clock.now().getTime() + 2 * DAY));
    const { body } = await html('/s/slots');
    const slots = body.match(/<li tabindex=0( class=t-[a-z]+)? aria-label="[^"]+">/g) ?? [];
    expect(slots).toHaveLength(90);
    expect(slots.slice(0, 87).every((s) => s.includes('class=t-nodata') && s.endsWith(': No data">'))).toBe(true);
    expect(slots.slice(87).every((s) => !s.includes('t-nodata') && s.endsWith(': operational">'))).toBe(true);
    expect(body).toContain('100.00% uptime'); // over the three days it existed
  });
});
