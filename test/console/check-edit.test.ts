import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { consoleClient } from '../support/console.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { apiClient } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';
import { newTenant } from '../support/tenants.js';

/** Editing and deleting a check from its console page: the v3 API's update and delete, as forms. */
describe(`console check edit and delete on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let acme: { id: string; api_key: string };
  let globex: { id: string; api_key: string };
  let readOnly: string;
  const v3 = (key: string, method: string, path: string, body?: unknown) => apiClient(o)(method, `/api/v3${path}`, body, null, { 'x-api-key': key });

  beforeAll(async () => {
    t = await testDatabase();
    const clock = new ManualClock('2026-12-01T10:00:00Z');
    o = await drivenOverdue({ database: t, clock, builtinJobs: false, env: { WEBHOOK_ALLOW_PRIVATE: '127.0.0.1' } });
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    const api = apiClient(o, () => admin);
    acme = await newTenant(api, 'acme');
    globex = await newTenant(api, 'globex');
    readOnly = await insertApiKey(t.db, { kind: 'tenant', tenantId: acme.id, readOnly: true }, clock.now());
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  const create = async (key: string, body: Record<string, unknown>) => (await v3(key, 'POST', '/checks/', body)).body as { uuid: string };

  it('saves name, tags, period and grace; a cron check keeps its kind and takes schedule and zone', async () => {
    const simple = await create(acme.api_key, { name: 'backup', timeout: 3600, grace: 300 });
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    const detail = await c.request('GET', `/console/checks/${simple.uuid}`);
    expect(detail.text).toContain(`href="/console/checks/${simple.uuid}/edit"`);
    const form = await c.request('GET', `/console/checks/${simple.uuid}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="3600"');
    const saved = await c.request('POST', `/console/checks/${simple.uuid}/edit`, { csrf: c.csrf(form.text), name: 'nightly backup', tags: 'prod db', timeout: '86400', grace: '900' });
    expect(saved.status).toBe(303);
    expect((await v3(acme.api_key, 'GET', `/checks/${simple.uuid}`)).body).toMatchObject({ name: 'nightly backup', tags: 'prod db', timeout: 86400, grace: 900 });

    const cron = await create(acme.api_key, { name: 'report', schedule: '0 6 * * *', tz: 'UTC', grace: 600 });
    const cronForm = await c.request('GET', `/console/checks/${cron.uuid}/edit`);
    expect(cronForm.text).not.toContain('name="timeout"');
    await c.request('POST', `/console/checks/${cron.uuid}/edit`, { csrf: c.csrf(cronForm.text), name: 'report', tags: '', schedule: '30 7 * * 1-5', tz: 'Europe/Berlin', grace: '600' });
    expect((await v3(acme.api_key, 'GET', `/checks/${cron.uuid}`)).body).toMatchObject({ schedule: '30 7 * * 1-5', tz: 'Europe/Berlin' });
  });

  it('refuses what the API refuses, with its words, keeps what was typed and changes nothing', async () => {
    const check = await create(acme.api_key, { name: 'etl', timeout: 3600, grace: 300 });
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    const form = await c.request('GET', `/console/checks/${check.uuid}/edit`);
    for (const [fields, error] of [
      [{ grace: 'soon', timeout: '3600' }, 'grace'],
      [{ grace: '0', timeout: '3600' }, 'grace'],
      [{ grace: '60', timeout: '99999999999' }, 'timeout'],
    ] as const) {
      const res = await c.request('POST', `/console/checks/${check.uuid}/edit`, { csrf: c.csrf(form.text), name: 'renamed', tags: '', ...fields });
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(res.text).toContain('role="alert"');
      expect(res.text).toContain(error);
      expect(res.text).toContain('value="renamed"');
    }
    // Too long, or with a control character: refused whole, never saved shortened.
    const tooLong = await c.request('POST', `/console/checks/${check.uuid}/edit`, { csrf: c.csrf(form.text), name: 'x'.repeat(101), tags: '', grace: '60', timeout: '3600' });
    expect(tooLong.status).toBe(400);
    expect(tooLong.text).toMatch(/role="alert">\s*name is too long/);
    for (const fields of [{ name: 'a\u0000b', tags: '' }, { name: 'etl', tags: 'prod\u0001' }]) {
      const res = await c.request('POST', `/console/checks/${check.uuid}/edit`, { csrf: c.csrf(form.text), grace: '60', timeout: '3600', ...fields });
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(res.text).toContain('must not contain control characters');
    }
    const cron = await create(acme.api_key, { name: 'cron', schedule: '0 6 * * *', tz: 'UTC', grace: 600 });
    const cronForm = await c.request('GET', `/console/checks/${cron.uuid}/edit`);
    const bad = await c.request('POST', `/console/checks/${cron.uuid}/edit`, { csrf: c.csrf(cronForm.text), name: 'cron', tags: '', schedule: 'every tuesday', tz: 'Mars/Olympus', grace: '600' });
    expect(bad.status).toBe(400);
    expect((await v3(acme.api_key, 'GET', `/checks/${check.uuid}`)).body).toMatchObject({ name: 'etl', grace: 300, timeout: 3600 });
    expect((await v3(acme.api_key, 'GET', `/checks/${cron.uuid}`)).body).toMatchObject({ schedule: '0 6 * * *', tz: 'UTC' });
  });

  it("routes the check to the owner's channels chosen by name, or back to the defaults; never to another tenant's channel", async () => {
    const channel = async (key: string, name: string) =>
      (await apiClient(o, () => key)('POST', '/api/v1/channels', { kind: 'webhook', name, config: { url: `http://127.0.0.1:9/${name}` } })).body as { id: string };
    const ops = await channel(acme.api_key, 'ops-room');
    const pager = await channel(acme.api_key, 'pager');
    const theirs = await channel(globex.api_key, 'globex-hook');
    const check = await create(acme.api_key, { name: 'routed', timeout: 3600, grace: 300 });
    const channelsOf = async () => ((await v3(acme.api_key, 'GET', `/checks/${check.uuid}`)).body as { channels: string }).channels.split(',').sort();
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    const form = await c.request('GET', `/console/checks/${check.uuid}/edit`);
    expect(form.text).toContain('ops-room (webhook)');
    expect(form.text).toContain('pager (webhook)');
    expect(form.text).not.toContain('globex-hook');
    expect(form.text).toMatch(/value="default" checked/);
    const base = { csrf: c.csrf(form.text), name: 'routed', tags: '', timeout: '3600', grace: '300' };

    expect((await c.request('POST', `/console/checks/${check.uuid}/edit`, { ...base, channel_mode: 'chosen', [`channel:${pager.id}`]: 'on' })).status).toBe(303);
    expect(await channelsOf()).toEqual([pager.id]);
    const again = await c.request('GET', `/console/checks/${check.uuid}/edit`);
    expect(again.text).toMatch(/value="chosen" checked/);
    expect(again.text).toMatch(new RegExp(`name="channel:${pager.id}" value="on" checked`));
    expect(again.text).not.toMatch(new RegExp(`name="channel:${ops.id}" value="on" checked`));

    // Another tenant's channel, or none ticked: refused with the reason, nothing changes.
    const foreign = await c.request('POST', `/console/checks/${check.uuid}/edit`, { ...base, name: 'renamed', channel_mode: 'chosen', [`channel:${theirs.id}`]: 'on' });
    expect(foreign.status).toBe(400);
    expect(foreign.text).toContain('invalid channel identifier');
    const none = await c.request('POST', `/console/checks/${check.uuid}/edit`, { ...base, name: 'renamed', channel_mode: 'chosen' });
    expect(none.status).toBe(400);
    expect(none.text).toContain('choose at least one channel');
    expect(await channelsOf()).toEqual([pager.id]);
    expect((await v3(acme.api_key, 'GET', `/checks/${check.uuid}`)).body).toMatchObject({ name: 'routed' });

    // A form without the channel fields leaves the routing alone; "default" follows the owner's defaults again (all, none being default).
    await c.request('POST', `/console/checks/${check.uuid}/edit`, base);
    expect(await channelsOf()).toEqual([pager.id]);
    await c.request('POST', `/console/checks/${check.uuid}/edit`, { ...base, channel_mode: 'default', [`channel:${pager.id}`]: 'on' });
    expect(await channelsOf()).toEqual([ops.id, pager.id].sort());
  });

  it('deletes after a confirmation page; another tenant, a read-only key and a form without its token cannot', async () => {
    const check = await create(acme.api_key, { name: 'to-delete', timeout: 60, grace: 60 });
    const other = await create(globex.api_key, { name: 'globex-secret', timeout: 60, grace: 60 });
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    // Another tenant's check does not exist for this key.
    expect((await c.request('GET', `/console/checks/${other.uuid}/edit`)).status).toBe(404);
    const confirm = await c.request('GET', `/console/checks/${check.uuid}/delete`);
    expect(confirm.text).toContain('cannot be undone');
    expect((await c.request('POST', `/console/checks/${other.uuid}/delete`, { csrf: c.csrf(confirm.text) })).status).toBe(404);
    expect((await c.request('POST', `/console/checks/${check.uuid}/delete`, {})).status).toBe(403);

    const ro = consoleClient(o);
    await ro.signIn(readOnly);
    const page = await ro.request('GET', `/console/checks/${check.uuid}`);
    expect(page.text).not.toContain('/edit"');
    expect((await ro.request('POST', `/console/checks/${check.uuid}/delete`, { csrf: ro.csrf(page.text) })).status).toBe(403);
    expect((await ro.request('POST', `/console/checks/${check.uuid}/edit`, { csrf: ro.csrf(page.text), name: 'x', grace: '60', timeout: '60' })).status).toBe(403);

    expect((await c.request('POST', `/console/checks/${check.uuid}/delete`, { csrf: c.csrf(confirm.text) })).status).toBe(303);
    expect((await v3(acme.api_key, 'GET', `/checks/${check.uuid}`)).status).toBe(404);
    expect((await v3(globex.api_key, 'GET', `/checks/${other.uuid}`)).status).toBe(200);
  });
});
