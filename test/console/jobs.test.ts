import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../support/http.js';
import { newTenant } from '../support/tenants.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { consoleClient } from '../support/console.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';

/** The console's jobs pages: the admin's; run the latest due slot now, pause, resume. */
describe(`console jobs on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let admin: string;
  let tenant: { id: string; api_key: string };

  beforeAll(async () => {
    t = await testDatabase();
    const clock = new ManualClock(new Date('2026-12-01T10:00:30Z'));
    // One job of our own that always fails, beside the built-in ones.
    const export_ = { key: 'nightly-export', schedule: { cron: '0 * * * *', tz: 'UTC' }, catchUp: 'latest' as const, maxRunS: 60, maxAttempts: 1, handler: async () => Promise.reject(new Error('export target refused the upload')) };
    o = await drivenOverdue({ database: t, clock, jobs: [export_] });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    tenant = await newTenant(apiClient(o, () => admin), 'acme');
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('lists the jobs, runs the latest due slot of one, pauses and resumes it', async () => {
    const c = consoleClient(o);
    await c.signIn(admin);
    const list = await c.request('GET', '/console/jobs');
    expect(list.status).toBe(200);
    expect(list.text).toContain('heartbeats.retention');
    const page = await c.request('GET', '/console/jobs/heartbeats.retention');
    expect(page.text).toContain('No runs yet.');
    const run = await c.request('POST', '/console/jobs/heartbeats.retention/run', { csrf: c.csrf(page.text) });
    expect(run.status).toBe(200);
    expect(run.text).toContain('Slot 2026-12-01 10:00 UTC: succeeded.');
    expect(run.text).toContain('<td>succeeded</td>');
    expect((await c.request('POST', '/console/jobs/heartbeats.retention/pause', { csrf: c.csrf(page.text) })).status).toBe(303);
    expect((await c.request('GET', '/console/jobs/heartbeats.retention')).text).toContain('>Resume<');
    await c.request('POST', '/console/jobs/heartbeats.retention/resume', { csrf: c.csrf(page.text) });
    expect((await c.request('GET', '/console/jobs/heartbeats.retention')).text).toContain('>Pause<');
  });

  it("the admin's overview counts failing jobs and jobs behind, linked to the jobs page", async () => {
    const c = consoleClient(o);
    await c.signIn(admin);
    const tile = (text: string, label: string) => new RegExp(`<a href="/console/jobs"><b>(\\d+)</b> ${label}`).exec(text)?.[1];
    const before = (await c.request('GET', '/console')).text;
    expect(tile(before, 'failing jobs')).toBe('0');
    expect(tile(before, 'jobs behind schedule')).toBe('0');
    const page = await c.request('GET', '/console/jobs/nightly-export');
    const run = await c.request('POST', '/console/jobs/nightly-export/run', { csrf: c.csrf(page.text) });
    expect(run.text).toContain('export target refused the upload');
    expect(tile((await c.request('GET', '/console')).text, 'failing jobs')).toBe('1');
  });

  it('a tenant key neither sees the Jobs link nor opens the pages', async () => {
    const c = consoleClient(o);
    await c.signIn(tenant.api_key);
    expect((await c.request('GET', '/console')).text).not.toContain('/console/jobs');
    expect((await c.request('GET', '/console')).text).not.toContain('failing jobs');
    expect((await c.request('GET', '/console/jobs')).status).toBe(403);
  });
});
