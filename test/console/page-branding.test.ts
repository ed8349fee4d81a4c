import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { consoleClient } from '../support/console.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { apiClient, created, type Api } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';
import { newTenant } from '../support/tenants.js';

/** A page's logo and accent colour from the console: the API's rules, as a form. */
describe(`console page branding on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let api: Api;
  let acme: { id: string; api_key: string };
  let readOnly: string;
  let pageId: string;
  let globexPage: string;

  beforeAll(async () => {
    t = await testDatabase();
    const clock = new ManualClock('2026-12-01T10:00:00Z');
    o = await drivenOverdue({ database: t, clock, builtinJobs: false });
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
    acme = await newTenant(api, 'acme');
    const globex = await newTenant(api, 'globex');
    readOnly = await insertApiKey(t.db, { kind: 'tenant', tenantId: acme.id, readOnly: true }, clock.now());
    pageId = (await created(api, '/api/v1/pages', { slug: 'acme', name: 'Acme status' }, acme.api_key)).id;
    globexPage = (await created(api, '/api/v1/pages', { slug: 'globex', name: 'Globex status' }, globex.api_key)).id;
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  const pageJson = async () => {
    const list = (await api('GET', '/api/v1/pages', undefined, acme.api_key)).body as { data: { id: string; logo_url: string | null; accent_color: string | null }[] };
    return list.data.find((p) => p.id === pageId);
  };

  it('saves a logo and an accent colour, shows them on the public page, and clears them when emptied', async () => {
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    const page = await c.request('GET', `/console/pages/${pageId}`);
    expect(page.text).toContain('Save branding');
    const saved = await c.request('POST', `/console/pages/${pageId}/branding`, { csrf: c.csrf(page.text), logo_url: 'https://cdn.example.com/acme.png', accent_color: '#6E40C9' });
    expect(saved.status).toBe(303);
    expect(await pageJson()).toMatchObject({ logo_url: 'https://cdn.example.com/acme.png', accent_color: '#6e40c9' });
    const publicPage = await o.app.request('/s/acme');
    expect(await publicPage.text()).toContain('https://cdn.example.com/acme.png');

    await c.request('POST', `/console/pages/${pageId}/branding`, { csrf: c.csrf(page.text), logo_url: '', accent_color: '' });
    expect(await pageJson()).toMatchObject({ logo_url: null, accent_color: null });
  });

  it('refuses what the API refuses, with its words, and changes nothing; scoping, read-only and CSRF hold', async () => {
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    const page = await c.request('GET', `/console/pages/${pageId}`);
    await c.request('POST', `/console/pages/${pageId}/branding`, { csrf: c.csrf(page.text), logo_url: 'https://cdn.example.com/a.png', accent_color: '#0969da' });
    for (const [fields, words] of [
      [{ logo_url: 'http://cdn.example.com/a.png', accent_color: '' }, 'logo_url must use https'],
      [{ logo_url: '', accent_color: '#ffff00' }, 'contrast'],
      [{ logo_url: '', accent_color: 'red' }, '#rrggbb'],
    ] as const) {
      const res = await c.request('POST', `/console/pages/${pageId}/branding`, { csrf: c.csrf(page.text), ...fields });
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(res.text).toContain(words);
    }
    expect(await pageJson()).toMatchObject({ logo_url: 'https://cdn.example.com/a.png', accent_color: '#0969da' });

    expect((await c.request('POST', `/console/pages/${globexPage}/branding`, { csrf: c.csrf(page.text), logo_url: '', accent_color: '' })).status).toBe(404);
    expect((await c.request('POST', `/console/pages/${pageId}/branding`, { logo_url: '', accent_color: '' })).status).toBe(403);
    const ro = consoleClient(o);
    await ro.signIn(readOnly);
    const roPage = await ro.request('GET', `/console/pages/${pageId}`);
    expect(roPage.text).not.toContain('Save branding');
    expect(roPage.text).toContain('https://cdn.example.com/a.png');
    expect((await ro.request('POST', `/console/pages/${pageId}/branding`, { csrf: ro.csrf(roPage.text), logo_url: '', accent_color: '' })).status).toBe(403);
    expect(await pageJson()).toMatchObject({ logo_url: 'https://cdn.example.com/a.png' });
  });
});
