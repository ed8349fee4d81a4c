import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../support/http.js';
import { newTenant } from '../support/tenants.js';
import { TestReceiver } from '../notify/servers.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { consoleClient } from '../support/console.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';

/** The console's alert channels page: add a channel from a form, send a test, delete it; scoped to the viewer. */
describe(`console alert channels on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let acme: { id: string; api_key: string };
  let globex: { id: string; api_key: string };
  const receiver = new TestReceiver();

  beforeAll(async () => {
    await receiver.start();
    t = await testDatabase();
    const clock = new ManualClock(new Date());
    o = await drivenOverdue({ database: t, clock, env: { WEBHOOK_ALLOW_PRIVATE: '127.0.0.1' } });
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    const api = apiClient(o, () => admin);
    acme = await newTenant(api, 'acme');
    globex = await newTenant(api, 'globex');
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
    await receiver.stop();
  });

  it('adds a Slack channel from the form, sends it a test that arrives, and deletes it', async () => {
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    const empty = await c.request('GET', '/console/channels');
    expect(empty.text).toContain('No channel yet');
    const csrf = c.csrf(empty.text);
    const added = await c.request('POST', '/console/channels', { csrf, kind: 'slack', name: 'ops room', url: receiver.url('/slack/acme') });
    expect(added.status).toBe(201);
    expect(added.text).toContain('ops room');
    expect(added.text).not.toContain('/slack/acme'); // the URL is a secret: only its host is shown
    const id = /action="\/console\/channels\/([0-9a-f-]{36})\/test"/.exec(added.text)![1]!;
    const tested = await c.request('POST', `/console/channels/${id}/test`, { csrf });
    expect(tested.text).toContain('Test alert delivered.');
    expect(receiver.on('/slack/acme')).toHaveLength(1);

    const bad = await c.request('POST', '/console/channels', { csrf, kind: 'slack', name: 'bad', url: 'http://10.0.0.1/x' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('non-public address');

    for (const name of ['', 'bad\u0000name', 'x'.repeat(101)]) {
      const refused = await c.request('POST', '/console/channels', { csrf, kind: 'slack', name, url: receiver.url('/slack/x') });
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('name must be 1 to 100 characters');
    }

    const theirs = consoleClient(o);
    await theirs.signIn(globex.api_key);
    const theirPage = await theirs.request('GET', '/console/channels');
    expect(theirPage.text).not.toContain('ops room');
    expect((await theirs.request('POST', `/console/channels/${id}/delete`, { csrf: theirs.csrf(theirPage.text) })).status).toBe(404);
    // Nor can they make it send: a test of another tenant's channel is a 404 and reaches no one.
    const heard = receiver.on('/slack/acme').length;
    expect((await theirs.request('POST', `/console/channels/${id}/test`, { csrf: theirs.csrf(theirPage.text) })).status).toBe(404);
    expect(receiver.on('/slack/acme')).toHaveLength(heard);

    expect((await c.request('POST', `/console/channels/${id}/delete`, { csrf })).status).toBe(303);
    expect((await c.request('GET', '/console/channels')).text).toContain('No channel yet');
  });
});
