import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainDeliveries, drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { apiClient, created, type Api } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';

/**
 * The public forms a visitor reaches without JavaScript (the status page's
 * subscribe form, the mail's confirm, manage and unsubscribe links): a
 * refusal is a styled page saying what was wrong, never the API's JSON; JSON
 * clients keep the API's error bodies exactly.
 */
describe(`public subscriber forms refuse in HTML on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let clock: ManualClock;
  let api: Api;

  const form = (path: string, body: string, headers: Record<string, string> = {}) => o.app.request(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
  const isPage = (res: Response) => {
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  };
  /** The newest link of a kind mailed to `to`, as a path, from the stored mailbox (the API redacts tokens). */
  const newestLink = async (to: string, kind: 'confirm' | 'manage') => {
    await o.fanOut();
    await drainDeliveries(o);
    const mails = await t.db.selectFrom('mailbox').select('text').where('to', '=', to).orderBy('id', 'desc').execute();
    const path = mails.map((m) => new RegExp(`(/subscriptions/${kind}\\?token=\\S+)`).exec(m.text)?.[1]).find(Boolean);
    expect(path, `a ${kind} link to ${to}`).toBeTruthy();
    return path!;
  };

  beforeAll(async () => {
    t = await testDatabase();
    clock = new ManualClock('2025-06-02T06:00:00Z');
    o = await drivenOverdue({ database: t, clock });
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('an invalid address from the form is a 400 page with the message and the form again, what was typed kept; JSON keeps its error', async () => {
    const res = await form('/api/v1/pages/default/subscribers', 'email=not-an-address');
    expect(res.status).toBe(400);
    isPage(res);
    const html = await res.text();
    expect(html).toMatch(/<p class="notice error" role="alert" id="subscribe-error">That is not an email address\./);
    expect(html).toMatch(/<form class="subscribe" method="post" action="\/api\/v1\/pages\/default\/subscribers">/);
    expect(html).toMatch(/<input id="email" name="email" type="email"[^>]* value="not-an-address" aria-invalid="true" aria-describedby="subscribe-error"/);
    // Typed markup is escaped, never rendered.
    const hostile = await (await form('/api/v1/pages/default/subscribers', `email=${encodeURIComponent('<script>x</script>')}`)).text();
    expect(hostile).not.toContain('<script>x');

    const json = await api('POST', '/api/v1/pages/default/subscribers', { email: 'not-an-address' }, null);
    expect(json.status).toBe(400);
    expect(json.body).toEqual({ error: { code: 'validation_failed', message: 'email must be an email address' } });
  });

  it('the form gets a page for an unknown status page and for too many requests; JSON gets the API errors', async () => {
    const unknown = await form('/api/v1/pages/no-such-page/subscribers', 'email=a%40example.com');
    expect(unknown.status).toBe(404);
    isPage(unknown);
    expect(await unknown.text()).toContain('There is no status page no-such-page');
    expect((await api('POST', '/api/v1/pages/no-such-page/subscribers', { email: 'a@example.com' }, null)).body).toEqual({ error: { code: 'not_found', message: 'no page no-such-page' } });

    for (let i = 0; i < 3; i++) expect((await form('/api/v1/pages/default/subscribers', 'email=busy%40example.com')).status).toBe(202);
    const limited = await form('/api/v1/pages/default/subscribers', 'email=busy%40example.com');
    expect(limited.status).toBe(429);
    isPage(limited);
    expect(await limited.text()).toContain('Try again in an hour.');
    const json = await api('POST', '/api/v1/pages/default/subscribers', { email: 'busy@example.com' }, null);
    expect(json).toMatchObject({ status: 429, body: { error: { code: 'rate_limited', message: 'too many subscription requests; try again later' } } });
  });

  it('a broken confirm, manage or unsubscribe link is a 404 page in a browser; a JSON client gets the API error', async () => {
    const bad = 'token=not-a-token';
    const browser = [
      o.app.request(`/subscriptions/confirm?${bad}`),
      o.app.request(`/subscriptions/unsubscribe?${bad}`),
      o.app.request(`/subscriptions/unsubscribe?${bad}`, { method: 'POST' }),
      o.app.request(`/subscriptions/manage?${bad}`),
      form(`/subscriptions/manage?${bad}`, 'scope=all'),
    ];
    for (const res of await Promise.all(browser)) {
      expect(res.status).toBe(404);
      isPage(res);
      const html = await res.text();
      expect(html).toContain('<h1>This link does not work</h1>');
      expect(html).toContain('This link is invalid or has expired.');
    }
    const jsonError = { error: { code: 'not_found', message: 'this link is invalid or has expired' } };
    expect((await api('GET', `/subscriptions/manage?${bad}`, undefined, null, { accept: 'application/json' })).body).toEqual(jsonError);
    expect((await api('POST', `/subscriptions/manage?${bad}`, { components: [] }, null)).body).toEqual(jsonError);
  });

  it('the manage form refuses ids that are not components of the page with the form again', async () => {
    const component = (await created(api, '/api/v1/components', { name: 'API' })).id as string;
    expect((await api('POST', '/api/v1/pages/default/subscribers', { email: 'keeper@example.com' }, null)).status).toBe(202);
    expect((await o.app.request(await newestLink('keeper@example.com', 'confirm'))).status).toBe(200);
    expect((await api('POST', '/api/v1/pages/default/subscribers', { email: 'keeper@example.com' }, null)).status).toBe(202);
    const manage = await newestLink('keeper@example.com', 'manage');

    const res = await form(manage, `scope=some&components=${component}&components=00000000-0000-4000-8000-000000000000`);
    expect(res.status).toBe(400);
    isPage(res);
    const html = await res.text();
    expect(html).toContain('Nothing was changed: components has ids that are not components of this page.');
    expect(html).toContain('<legend>What do you want to hear about?</legend>');
    const json = await api('POST', manage, { components: ['not-an-id'] }, null);
    expect(json.body).toEqual({ error: { code: 'validation_failed', message: 'components must be a list of component ids' } });
    expect((await form(manage, `scope=some&components=${component}`)).status).toBe(200);
  });
});
