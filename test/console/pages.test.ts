import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineExpectation } from '../../src/expectations/define.js';
import { apiClient, created, type Api } from '../support/http.js';
import { newTenant } from '../support/tenants.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { consoleClient } from '../support/console.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { TestReceiver } from '../notify/servers.js';

/**
 * The console's status pages: components added, edited (moved into a group,
 * re-sourced) and deleted through forms, their sources picked by name from
 * what the key may list, the result on the public page; the channels a check
 * alerts and the checks a channel hears; open incidents linked from a check, a
 * component and the overview; the console's own 404 page. Read-only keys,
 * forms without their CSRF token and other tenants are refused.
 */
describe(`console status pages on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let api: Api;
  let admin: string;
  let acme: { id: string; api_key: string };
  let globex: { id: string; api_key: string };
  let readOnly: string;
  let pageId: string;
  const check: Record<string, string> = {};
  const receiver = new TestReceiver();

  const newCheck = async (name: string, key: string, channels?: string) => {
    const r = await api('POST', '/api/v3/checks/', { name, timeout: 60, grace: 60, ...(channels !== undefined && { channels }) }, null, { 'x-api-key': key });
    expect(r.status).toBe(201);
    return r.body.uuid as string;
  };

  beforeAll(async () => {
    await receiver.start();
    t = await testDatabase();
    const clock = new ManualClock(new Date('2026-12-01T10:00:00Z'));
    const checks = [
      { file: 'tenant-invoices.ts', check: defineExpectation({ id: 'tenant-invoices', title: 'Every tenant is invoiced', scope: 'forEachTenant', kind: 'invariant', failing: () => sql`select null::uuid as tenant_id where false` }) },
      { file: 'ledger.ts', check: defineExpectation({ id: 'ledger-balanced', title: 'Ledger balances (platform)', scope: 'platform', kind: 'invariant', failing: () => sql`select null::uuid as tenant_id where false` }) },
    ];
    o = await drivenOverdue({ database: t, clock, checks, env: { WEBHOOK_ALLOW_PRIVATE: '127.0.0.1' } });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
    acme = await newTenant(api, 'acme');
    globex = await newTenant(api, 'globex');
    readOnly = await insertApiKey(t.db, { kind: 'tenant', tenantId: acme.id, readOnly: true }, clock.now());
    pageId = (await created(api, '/api/v1/pages', { slug: 'acme', name: 'Acme status' }, acme.api_key)).id;
    await created(api, '/api/v1/pages', { slug: 'globex', name: 'Globex status' }, globex.api_key);
    const pager = (await created(api, '/api/v1/channels', { kind: 'slack', name: 'acme pager', config: { url: receiver.url('/pager') } }, acme.api_key)).id;
    await created(api, '/api/v1/channels', { kind: 'slack', name: 'acme chat', config: { url: receiver.url('/chat') }, default: true }, acme.api_key);
    check.api = await newCheck('api-probe', acme.api_key, pager);
    check.web = await newCheck('web-probe', acme.api_key);
    check.secret = await newCheck('globex-secret-probe', globex.api_key);
    await created(api, '/api/v1/pages/acme/webhooks', { url: receiver.url('/sub') }, acme.api_key);
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
    await receiver.stop();
  });

  const componentsOnPublicPage = async () => (await api('GET', '/s/acme/api/v2/summary.json', undefined, null)).body.components as { id: string; name: string; group_id: string | null; status: string }[];

  it('adds a group and components whose sources are picked by name; they show on the public page', async () => {
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    const list = await c.request('GET', '/console/pages');
    expect(list.status).toBe(200);
    expect(list.text).toContain(`href="/console/pages/${pageId}"`);
    expect(list.text).toContain('href="/s/acme"');
    expect(list.text).not.toContain('Globex status');
    expect(list.text).toMatch(/<td>0<\/td>\s*<td>1<\/td>/); // no component yet, one webhook subscriber

    const page = await c.request('GET', `/console/pages/${pageId}`);
    expect(page.text).toContain('<h1>Acme status</h1>');
    // The picker: our checks and the expectation every tenant may list, by name; never another tenant's, never the platform's own.
    expect(page.text).toContain(`name="source:check:${check.api}"`);
    expect(page.text).toMatch(/<label for="src-check-\d+">api-probe<\/label>/);
    expect(page.text).toContain('Every tenant is invoiced');
    expect(page.text).not.toContain('globex-secret-probe');
    expect(page.text).not.toContain('Ledger balances (platform)');
    const csrf = c.csrf(page.text);

    const add = (fields: Record<string, string>) => c.request('POST', `/console/pages/${pageId}/components`, { csrf, ...fields });
    expect((await add({ name: 'Backend', group: 'on' })).status).toBe(303);
    const group = (await componentsOnPublicPage()).find((x) => x.name === 'Backend')!;
    const api1 = await add({ name: 'API', description: 'The public REST API', group_id: group.id, auto_incident: 'delay', publish_after: '300', [`source:check:${check.api}`]: 'on', 'source:expectation:tenant-invoices': 'on' });
    expect(api1.status).toBe(303);
    expect(api1.location).toBe(`/console/pages/${pageId}`);
    expect((await add({ name: 'Website', [`source:check:${check.web}`]: 'on' })).status).toBe(303);

    const shown = await componentsOnPublicPage();
    expect(shown.map((x) => x.name)).toEqual(['Backend', 'API', 'Website']);
    expect(shown.find((x) => x.name === 'API')!.group_id).toBe(group.id);
    const publicHtml = (await o.app.request('/s/acme')).status;
    expect(publicHtml).toBe(200);
    const sources = (await api('GET', '/api/v1/components?page=acme', undefined, acme.api_key)).body.data.find((x: any) => x.name === 'API');
    expect(sources).toMatchObject({ sources: [`check:${check.api}`, 'expectation:tenant-invoices'], auto_incident: 'delay', publish_after: 300 });

    // The tree: the group, then its member, then the top-level component; sources by name, linked.
    const tree = await c.request('GET', `/console/pages/${pageId}`);
    const at = (s: string) => tree.text.indexOf(s);
    expect(at('>Backend<')).toBeLessThan(at('The public REST API'));
    expect(at('The public REST API')).toBeLessThan(at('Website<'));
    expect(tree.text).toContain(`<a href="/console/checks/${check.api}">check api-probe</a>`);
    expect(tree.text).toContain('<a href="/console/expectations/tenant-invoices">expectation Every tenant is invoiced</a>');
    expect(tree.text).toContain('automatic incidents go public after 300 s if still failing');
    expect(tree.text).not.toContain(`check:${check.api}<`); // named, not shown by id
    expect((await c.request('GET', '/console/pages')).text).toMatch(/<td>2<span class="muted"> \(in 1 group\)<\/span><\/td>\s*<td>1<\/td>/);
  });

  it('refuses bad input with the form kept, another tenant’s check, and sources on a group', async () => {
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    const csrf = c.csrf((await c.request('GET', `/console/pages/${pageId}`)).text);
    const add = (fields: Record<string, string>) => c.request('POST', `/console/pages/${pageId}/components`, { csrf, ...fields });
    const foreign = await add({ name: 'Sneaky', [`source:check:${check.secret}`]: 'on' });
    expect(foreign.status).toBe(400);
    expect(foreign.text).toContain(`unknown source check:${check.secret}`);
    expect(foreign.text).toContain('value="Sneaky"');
    expect((await add({ name: 'Platform', 'source:expectation:ledger-balanced': 'on' })).text).toContain('only the admin key may list it');
    expect((await add({ name: 'Forged', 'source:nonsense': 'on' })).text).toContain('sources must be a list');
    expect((await add({ name: 'G', group: 'on', [`source:check:${check.web}`]: 'on' })).text).toContain('a group component takes no sources');
    expect((await add({ name: '' })).text).toContain('name must be a non-empty string');
    expect((await add({ name: 'x'.repeat(201) })).status).toBe(400);
    expect((await add({ name: 'Late', position: '-1' })).text).toContain('position must be a whole number');
    expect((await add({ name: 'Slow', auto_incident: 'delay' })).text).toContain('publish_after (seconds) is required');
    expect((await add({ name: 'Odd', auto_incident: 'later' })).status).toBe(400);
    expect((await add({ name: 'Lost', group_id: 'not-a-uuid' })).status).toBe(400);
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`source:check:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, 'on']));
    expect((await add({ name: 'Many', ...many })).text).toContain('pick at most 100 sources');
    expect((await componentsOnPublicPage()).map((x) => x.name)).toEqual(['Backend', 'API', 'Website']);
  });

  it('edits a component: moves it into the group, changes its sources and publishing; deletes one', async () => {
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    const before = await componentsOnPublicPage();
    const website = before.find((x) => x.name === 'Website')!;
    const group = before.find((x) => x.name === 'Backend')!;
    const edit = await c.request('GET', `/console/components/${website.id}`);
    expect(edit.status).toBe(200);
    expect(edit.text).toContain(`name="source:check:${check.web}" value="on" checked`);
    const csrf = c.csrf(edit.text);
    const saved = await c.request('POST', `/console/components/${website.id}`, { csrf, name: 'Web app', description: '', group_id: group.id, position: '', auto_incident: 'draft', publish_after: '', incident_template: '{component} is having trouble', [`source:check:${check.api}`]: 'on' });
    expect(saved.status).toBe(303);
    const after = await componentsOnPublicPage();
    expect(after.map((x) => x.name)).toEqual(['Backend', 'API', 'Web app']);
    expect(after.find((x) => x.name === 'Web app')!.group_id).toBe(group.id);
    const row = (await api('GET', '/api/v1/components?page=acme', undefined, acme.api_key)).body.data.find((x: any) => x.name === 'Web app');
    expect(row).toMatchObject({ sources: [`check:${check.api}`], auto_incident: 'draft', incident_template: '{component} is having trouble', position: 2 });

    const refused = await c.request('POST', `/console/components/${website.id}`, { csrf, name: 'Web app', group_id: website.id });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('is not a group of this page');
    const groupEdit = await c.request('GET', `/console/components/${group.id}`);
    expect(groupEdit.text).not.toContain('name="source:'); // a group lists no sources

    expect((await c.request('POST', `/console/components/${website.id}/delete`, { csrf })).location).toBe(`/console/pages/${pageId}`);
    expect((await componentsOnPublicPage()).map((x) => x.name)).toEqual(['Backend', 'API']);
    expect((await c.request('GET', `/console/components/${website.id}`)).status).toBe(404);
  });

  it('links a check to its channels and open incidents, a channel to its checks, the overview to incidents', async () => {
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    const apiComponent = (await componentsOnPublicPage()).find((x) => x.name === 'API')!;
    const overview0 = await c.request('GET', '/console');
    expect(overview0.text).toMatch(/<b>0<\/b> open incidents/);
    const incident = await created(api, '/api/v1/incidents', { page: 'acme', name: 'API errors', status: 'investigating', body: 'Looking.', components: { [apiComponent.id]: 'partial_outage' } }, acme.api_key);

    const checkPage = await c.request('GET', `/console/checks/${check.api}`);
    expect(checkPage.text).toMatch(/<dt>Alerts<\/dt>\s*<dd><a href="\/console\/channels#channel-[0-9a-f-]{36}">acme pager<\/a><\/dd>/);
    expect(checkPage.text).toContain(`<a href="/console/incidents/${incident.id}">API errors</a>`);
    const webPage = await c.request('GET', `/console/checks/${check.web}`);
    expect(webPage.text).toContain('>acme chat</a>'); // no routing of its own: the default channel
    expect(webPage.text).toMatch(/<dt>Open incidents<\/dt>\s*<dd>none<\/dd>/);

    const channels = await c.request('GET', '/console/channels');
    const row = (name: string) => channels.text.slice(channels.text.indexOf(`<td>${name}</td>`), channels.text.indexOf('</tr>', channels.text.indexOf(`<td>${name}</td>`)));
    expect(row('acme pager')).toContain(`<a href="/console/checks/${check.api}">api-probe</a>`);
    expect(row('acme pager')).not.toContain('web-probe');
    expect(row('acme chat')).toContain(`<a href="/console/checks/${check.web}">web-probe</a>`);
    expect(channels.text).not.toContain('globex-secret-probe');

    const tree = await c.request('GET', `/console/pages/${pageId}`);
    expect(tree.text).toContain(`<a href="/console/incidents/${incident.id}">API errors</a>`);
    const overview = await c.request('GET', '/console');
    expect(overview.text).toMatch(/<a href="\/console\/incidents"><b>1<\/b> open incidents<\/a>/);
    expect(overview.text).toMatch(/<b>0<\/b> draft incidents/);
    await api('POST', `/api/v1/incidents/${incident.id}`, { status: 'resolved', body: 'Fixed.' }, acme.api_key);
  });

  it('renders unknown console paths and ids as a 404 in the console layout; signed-out visitors sign in first', async () => {
    const anonymous = consoleClient(o);
    const away = await anonymous.request('GET', '/console/no-such-page');
    expect(away.status).toBe(303);
    expect(away.location).toBe('/console/login');
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    for (const path of ['/console/no-such-page', '/console/pages/not-an-id', `/console/pages/00000000-0000-4000-8000-000000000000`, '/console/components/00000000-0000-4000-8000-000000000000', '/console/checks/00000000-0000-4000-8000-000000000000', '/console/incidents/00000000-0000-4000-8000-000000000000', '/console/maintenances/x', '/console/a/b/c']) {
      const r = await c.request('GET', path);
      expect(r.status, path).toBe(404);
      expect(r.text, path).toContain('<h1>Not found</h1>');
      expect(r.text, path).toContain('<nav aria-label="Console">');
      expect(r.text, path).toMatch(/<a href="\/console[^"]*">Back to /);
    }
    // A bare 404 would be JSON: the rest of the app is unchanged.
    expect((await o.app.request('/no-such-thing')).headers.get('content-type')).toContain('application/json');
  });

  it('read-only keys see no buttons and get 403; forms need the CSRF token; other tenants get 404s', async () => {
    const group = (await componentsOnPublicPage()).find((x) => x.name === 'Backend')!;
    const ro = consoleClient(o);
    await ro.signIn(readOnly);
    for (const path of ['/console/pages', `/console/pages/${pageId}`, `/console/components/${group.id}`]) {
      const r = await ro.request('GET', path);
      expect(r.status, path).toBe(200);
      expect(r.text, path).not.toMatch(/<form (class="[^"]*" )?method="post" action="\/console\/(pages|components)/);
      expect(r.text, path).not.toContain('>Edit<');
    }
    const roCsrf = ro.csrf((await ro.request('GET', '/console/pages')).text);
    expect((await ro.request('POST', `/console/pages/${pageId}/components`, { csrf: roCsrf, name: 'x' })).status).toBe(403);
    expect((await ro.request('POST', `/console/components/${group.id}/delete`, { csrf: roCsrf })).status).toBe(403);

    const mine = consoleClient(o);
    await mine.signIn(acme.api_key);
    expect((await mine.request('POST', `/console/pages/${pageId}/components`, { name: 'x' })).status).toBe(403);
    expect((await mine.request('POST', `/console/components/${group.id}/delete`, { csrf: 'wrong' })).status).toBe(403);

    const theirs = consoleClient(o);
    await theirs.signIn(globex.api_key);
    const theirList = await theirs.request('GET', '/console/pages');
    expect(theirList.text).toContain('Globex status');
    expect(theirList.text).not.toContain('Acme status');
    expect((await theirs.request('GET', `/console/pages/${pageId}`)).status).toBe(404);
    expect((await theirs.request('GET', `/console/components/${group.id}`)).status).toBe(404);
    const theirCsrf = theirs.csrf(theirList.text);
    expect((await theirs.request('POST', `/console/components/${group.id}/delete`, { csrf: theirCsrf })).status).toBe(404);
    expect((await theirs.request('POST', `/console/pages/${pageId}/components`, { csrf: theirCsrf, name: 'x' })).status).toBe(404);
    const globexPage = (await api('GET', '/api/v1/pages', undefined, globex.api_key)).body.data[0].id;
    const picker = await theirs.request('GET', `/console/pages/${globexPage}`);
    expect(picker.text).toContain('globex-secret-probe');
    for (const name of ['api-probe', 'web-probe', 'acme pager', 'Backend']) expect(picker.text).not.toContain(name);
    expect((await api('GET', '/api/v1/components?page=acme', undefined, acme.api_key)).body.data.map((x: any) => x.name)).toEqual(['Backend', 'API']);

    // The admin key sees every page and may list the platform's expectation.
    const a = consoleClient(o);
    await a.signIn(admin);
    const all = await a.request('GET', '/console/pages');
    expect(all.text).toContain('Acme status');
    expect(all.text).toContain('Globex status');
    expect((await a.request('GET', `/console/pages/${pageId}`)).text).toContain('Ledger balances (platform)');
  });
});
