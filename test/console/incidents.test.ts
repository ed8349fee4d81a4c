import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, created, type Api } from '../support/http.js';
import { newTenant } from '../support/tenants.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { consoleClient } from '../support/console.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';

/**
 * The console's incidents and maintenances: compose with a preview, publish
 * or keep a draft, post updates, resolve, postmortem; schedule, edit and
 * cancel maintenances; read-only keys and other tenants refused.
 */
describe(`console incidents on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let clock: ManualClock;
  let api: Api;
  let acme: { id: string; api_key: string };
  let globex: { id: string; api_key: string };
  let readOnly: string;
  const comp: Record<string, string> = {};

  beforeAll(async () => {
    t = await testDatabase();
    clock = new ManualClock(new Date('2026-12-01T10:00:00Z'));
    o = await drivenOverdue({ database: t, clock });
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
    acme = await newTenant(api, 'acme');
    globex = await newTenant(api, 'globex');
    readOnly = await insertApiKey(t.db, { kind: 'tenant', tenantId: acme.id, readOnly: true }, clock.now());
    await created(api, '/api/v1/pages', { slug: 'acme', name: 'Acme status', time_zone: 'Europe/Berlin' }, acme.api_key);
    await created(api, '/api/v1/pages', { slug: 'globex', name: 'Globex status' }, globex.api_key);
    for (const name of ['API', 'Web', 'Mail']) comp[name] = (await created(api, '/api/v1/components', { page: 'acme', name }, acme.api_key)).id;
    comp.Secret = (await created(api, '/api/v1/components', { page: 'globex', name: 'Secret DB' }, globex.api_key)).id;
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('composes an incident on two components, previews it, publishes it, updates, resolves and writes a postmortem', async () => {
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    const form = await c.request('GET', '/console/incidents/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain('<label for="component-' + comp.API + '">');
    expect(form.text).not.toContain('Secret DB');
    const csrf = c.csrf(form.text);
    const fields = { csrf, page: 'acme', name: 'Slow API', status: 'investigating', impact: '', body: 'We are **looking** into it.\n\n- one\n- two', deliver: 'on', [`component:${comp.API}`]: 'partial_outage', [`component:${comp.Web}`]: 'degraded_performance', [`component:${comp.Mail}`]: '' };

    const preview = await c.request('POST', '/console/incidents/new', { ...fields, action: 'preview' });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('We are <strong>looking</strong> into it.');
    expect(preview.text).toContain('<li>one</li>');
    expect(preview.text).toContain('value="Slow API"');
    expect(preview.text).toMatch(new RegExp(`name="component:${comp.API}">[^]*?<option value="partial_outage" selected`));
    expect((await api('GET', '/api/v1/incidents', undefined, acme.api_key)).body.data).toHaveLength(0);

    const published = await c.request('POST', '/console/incidents/new', { ...fields, action: 'publish' });
    expect(published.status).toBe(303);
    const id = /\/console\/incidents\/([0-9a-f-]{36})$/.exec(published.location!)![1]!;
    const page = await c.request('GET', `/console/incidents/${id}`);
    expect(page.text).toContain('Slow API');
    expect(page.text).toContain('href="/s/acme/incidents/' + id + '"');
    expect(page.text).toContain('Partial outage');
    const summary = (await api('GET', '/s/acme/api/v2/summary.json', undefined, null)).body;
    expect(summary.incidents.map((i: any) => i.name)).toEqual(['Slow API']);
    expect(Object.fromEntries(summary.components.map((x: any) => [x.name, x.status]))).toMatchObject({ API: 'partial_outage', Web: 'degraded_performance', Mail: 'operational' });
    expect((await c.request('GET', '/console/incidents')).text).toContain(`href="/console/incidents/${id}"`);

    expect((await c.request('POST', `/console/incidents/${id}/updates`, { csrf, status: 'identified', body: 'Found it.', deliver: 'on' })).status).toBe(303);
    expect((await c.request('POST', `/console/incidents/${id}/updates`, { csrf, status: 'nonsense', body: 'x' })).status).toBe(400);
    expect((await c.request('POST', `/console/incidents/${id}/postmortem`, { csrf, body: 'Too early.' })).status).toBe(409);
    expect((await c.request('POST', `/console/incidents/${id}/resolve`, { csrf })).status).toBe(303);
    expect((await api('GET', '/s/acme/api/v2/summary.json', undefined, null)).body.components.every((x: any) => x.status === 'operational')).toBe(true);
    expect((await c.request('POST', `/console/incidents/${id}/postmortem`, { csrf, body: 'Root cause: **disk**.' })).status).toBe(303);
    const done = await c.request('GET', `/console/incidents/${id}`);
    expect(done.text).toContain('Root cause: <strong>disk</strong>.');
    expect(done.text).toContain('Found it.');
    expect((await api('GET', `/api/v1/incidents/${id}`, undefined, acme.api_key)).body.status).toBe('postmortem');
  });

  it('keeps a draft out of public view until published; discards another', async () => {
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    const csrf = c.csrf((await c.request('GET', '/console/incidents/new')).text);
    const draft = async (name: string) => {
      const r = await c.request('POST', '/console/incidents/new', { csrf, page: 'acme', name, status: 'investigating', impact: 'minor', body: 'Draft text.', [`component:${comp.Mail}`]: 'major_outage', action: 'draft' });
      expect(r.status).toBe(303);
      return /([0-9a-f-]{36})$/.exec(r.location!)![1]!;
    };
    const keep = await draft('Mail delays');
    const drop = await draft('False alarm');
    const list = await c.request('GET', '/console/incidents');
    expect(list.text.indexOf('Mail delays')).toBeGreaterThan(list.text.indexOf('<h2>Drafts</h2>'));
    expect((await api('GET', '/s/acme/api/v2/summary.json', undefined, null)).body.incidents).toHaveLength(0);
    expect((await c.request('GET', `/console/incidents/${keep}`)).text).toContain('Publish draft');

    expect((await c.request('POST', `/console/incidents/${drop}/discard`, { csrf })).location).toBe('/console/incidents');
    expect((await c.request('GET', `/console/incidents/${drop}`)).status).toBe(404);
    expect((await c.request('POST', `/console/incidents/${keep}/publish`, { csrf })).status).toBe(303);
    const summary = (await api('GET', '/s/acme/api/v2/summary.json', undefined, null)).body;
    expect(summary.incidents.map((i: any) => i.name)).toEqual(['Mail delays']);
    expect(summary.components.find((x: any) => x.name === 'Mail').status).toBe('major_outage');
    expect((await c.request('POST', `/console/incidents/${keep}/publish`, { csrf })).status).toBe(409);
    expect((await c.request('POST', `/console/incidents/${keep}/discard`, { csrf })).status).toBe(409);
    await c.request('POST', `/console/incidents/${keep}/resolve`, { csrf });
  });

  it('refuses bad input with the form kept, and unknown pages', async () => {
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    const csrf = c.csrf((await c.request('GET', '/console/incidents/new')).text);
    const empty = await c.request('POST', '/console/incidents/new', { csrf, page: 'acme', name: '', status: 'investigating', body: 'text', action: 'publish' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('name must be a non-empty string');
    expect(empty.text).toContain('>text</textarea>');
    // Another tenant's page or component is not one of ours.
    expect((await c.request('POST', '/console/incidents/new', { csrf, page: 'globex', name: 'x', status: 'investigating', body: 'x', action: 'publish' })).status).toBe(400);
    const foreign = await c.request('POST', '/console/incidents/new', { csrf, page: 'acme', name: 'x', status: 'investigating', body: 'x', [`component:${comp.Secret}`]: 'major_outage', action: 'publish' });
    expect(foreign.status).toBe(400);
    expect(foreign.text).toContain('unknown components');
  });

  it('schedules a maintenance in a chosen zone, edits it, cancels it', async () => {
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    const list = await c.request('GET', '/console/maintenances');
    expect(list.text).toContain('Schedule a maintenance');
    const csrf = c.csrf(list.text);
    const made = await c.request('POST', '/console/maintenances', { csrf, page: 'acme', name: 'DB upgrade', body: 'Upgrading.', zone: 'Europe/Berlin', from: '2026-12-10T22:00', until: '2026-12-10T23:30', [`component:${comp.API}`]: 'on' });
    expect(made.status).toBe(303);
    const id = /([0-9a-f-]{36})$/.exec(made.location!)![1]!;
    let m = (await api('GET', '/api/v1/maintenances', undefined, acme.api_key)).body.data[0];
    expect(m).toMatchObject({ name: 'DB upgrade', status: 'scheduled', scheduled_for: '2026-12-10T21:00:00.000Z', scheduled_until: '2026-12-10T22:30:00.000Z' });
    expect(m.components.map((x: any) => x.name)).toEqual(['API']);

    const page = await c.request('GET', `/console/maintenances/${id}?zone=Europe/Berlin`);
    expect(page.text).toContain('value="2026-12-10T22:00"');
    expect((await c.request('POST', `/console/maintenances/${id}`, { csrf, name: 'DB upgrade v2', zone: 'UTC', from: '2026-12-11T01:00', until: '2026-12-11T02:00', [`component:${comp.API}`]: 'on', [`component:${comp.Web}`]: 'on' })).status).toBe(303);
    m = (await api('GET', '/api/v1/maintenances', undefined, acme.api_key)).body.data[0];
    expect(m).toMatchObject({ name: 'DB upgrade v2', scheduled_for: '2026-12-11T01:00:00.000Z', scheduled_until: '2026-12-11T02:00:00.000Z' });
    expect(m.components.map((x: any) => x.name).sort()).toEqual(['API', 'Web']);
    const backwards = await c.request('POST', `/console/maintenances/${id}`, { csrf, name: 'x', zone: 'UTC', from: '2026-12-11T03:00', until: '2026-12-11T02:00' });
    expect(backwards.status).toBe(400);
    expect(backwards.text).toContain('the window must end after it starts');
    expect((await c.request('POST', `/console/maintenances/${id}`, { csrf, name: 'x', zone: 'Mars/Base', from: '2026-12-11T01:00', until: '2026-12-11T02:00' })).status).toBe(400);

    expect((await c.request('POST', `/console/maintenances/${id}/cancel`, { csrf })).status).toBe(303);
    m = (await api('GET', '/api/v1/maintenances', undefined, acme.api_key)).body.data[0];
    expect(m.status).toBe('completed');
    expect(m.incident_updates.map((u: any) => u.body)).toContain('This scheduled maintenance has been cancelled.');
    expect((await c.request('POST', `/console/maintenances/${id}`, { csrf, name: 'x', zone: 'UTC', from: '2026-12-11T01:00', until: '2026-12-11T02:00' })).status).toBe(409);
  });

  it('read-only keys see no actions and get 403; other tenants see nothing of ours; forms need the CSRF token', async () => {
    const mine = consoleClient(o);
    await mine.signIn(acme.api_key);
    const csrf = mine.csrf((await mine.request('GET', '/console/incidents')).text);
    const id = (await api('GET', '/api/v1/incidents', undefined, acme.api_key)).body.data[0].id;
    const maintenance = (await api('GET', '/api/v1/maintenances', undefined, acme.api_key)).body.data[0].id;
    expect((await mine.request('POST', `/console/incidents/${id}/updates`, { status: 'investigating', body: 'x' })).status).toBe(403);
    expect((await mine.request('POST', '/console/incidents/new', { csrf: 'wrong', page: 'acme', name: 'x', status: 'investigating', body: 'x', action: 'publish' })).status).toBe(403);
    expect((await mine.request('POST', '/console/maintenances', { page: 'acme', name: 'x', body: 'x', zone: 'UTC', from: '2026-12-11T01:00', until: '2026-12-11T02:00' })).status).toBe(403);
    expect(csrf).not.toBe('');

    const ro = consoleClient(o);
    await ro.signIn(readOnly);
    for (const path of ['/console/incidents', `/console/incidents/${id}`, '/console/incidents/new', '/console/maintenances', `/console/maintenances/${maintenance}`]) {
      const r = await ro.request('GET', path);
      expect(r.status, path).toBe(200);
      expect(r.text, path).not.toMatch(/<form (class="[^"]*" )?method="post" action="\/console\/(incidents|maintenances)/);
    }
    const roCsrf = ro.csrf((await ro.request('GET', '/console/incidents')).text);
    expect((await ro.request('POST', `/console/incidents/${id}/updates`, { csrf: roCsrf, status: 'investigating', body: 'x' })).status).toBe(403);
    expect((await ro.request('POST', '/console/incidents/new', { csrf: roCsrf, page: 'acme', name: 'x', status: 'investigating', body: 'x', action: 'publish' })).status).toBe(403);

    const theirs = consoleClient(o);
    await theirs.signIn(globex.api_key);
    const theirList = await theirs.request('GET', '/console/incidents');
    expect(theirList.text).not.toContain('Slow API');
    expect((await theirs.request('GET', '/console/incidents/new')).text).not.toContain('>API');
    expect((await theirs.request('GET', `/console/incidents/${id}`)).status).toBe(404);
    expect((await theirs.request('GET', `/console/maintenances/${maintenance}`)).status).toBe(404);
    expect((await theirs.request('GET', '/console/maintenances')).text).not.toContain('DB upgrade');
    const theirCsrf = theirs.csrf(theirList.text);
    expect((await theirs.request('POST', `/console/incidents/${id}/resolve`, { csrf: theirCsrf })).status).toBe(404);
    expect((await theirs.request('POST', `/console/maintenances/${maintenance}/cancel`, { csrf: theirCsrf })).status).toBe(404);
  });
  it('an open incident stays on the overview however many newer ones were resolved', async () => {
    await created(api, '/api/v1/incidents', { page: 'globex', name: 'Long-running', status: 'investigating', body: 'Still looking.', components: { [comp.Secret!]: 'major_outage' } }, globex.api_key);
    await clock.jump(new Date(clock.now().getTime() + 60_000));
    for (let i = 0; i < 101; i++) await created(api, '/api/v1/incidents', { page: 'globex', name: `Blip ${i}`, status: 'resolved', body: 'Over.' }, globex.api_key);
    const c = consoleClient(o);
    await c.signIn(globex.api_key);
    expect((await c.request('GET', '/console')).text).toMatch(/<b>1<\/b> open incidents/);
  });
});
