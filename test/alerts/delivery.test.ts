import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, created, type Api } from '../support/http.js';
import { newTenant } from '../support/tenants.js';
import { TestReceiver, TestSmtp } from '../notify/servers.js';
import { drivenOverdue, pumpAlerts, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/**
 * A late check reaches every channel kind, in each service's documented
 * format, through real receivers on loopback: Slack, Discord, Teams, ntfy,
 * a Standard Webhooks receiver, the PagerDuty Events API (PAGERDUTY_EVENTS_URL)
 * and SMTP (after the address confirmed). Its recovery resolves the PagerDuty
 * incident with the same dedup_key.
 */
describe(`alert delivery to every channel kind on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let clock: ManualClock;
  let api: Api;
  let tenant: { id: string; api_key: string };
  const receiver = new TestReceiver();
  const smtp = new TestSmtp();
  const channels: Record<string, any> = {};
  let checkId = '';

  const pump = () => pumpAlerts(o);
  const later = (ms: number) => clock.jump(new Date(clock.now().getTime() + ms));
  const ping = (path: string, body?: string) => o.app.request(`/ping/${checkId}${path}`, { method: 'POST', body: body ?? '' });

  beforeAll(async () => {
    await receiver.start();
    await smtp.start();
    t = await testDatabase();
    // Real time: the standardwebhooks package checks timestamps against it (±5 min).
    clock = new ManualClock(new Date());
    o = await drivenOverdue({
      database: t,
      clock,
      env: { WEBHOOK_ALLOW_PRIVATE: '127.0.0.1', PAGERDUTY_EVENTS_URL: receiver.url('/pd/v2/enqueue'), SMTP_URL: smtp.url, PUBLIC_URL: 'https://overdue.example' },
    });
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
    tenant = await newTenant(api, 'acme');
    const make = async (kind: string, config: unknown) => (channels[kind] = await created(api, '/api/v1/channels', { kind, name: `ops-${kind}`, config }, tenant.api_key));
    await make('slack', { url: receiver.url('/slack/T1/B1/secret') });
    await make('discord', { url: receiver.url('/discord/api/webhooks/1/tok') });
    await make('msteams', { url: receiver.url('/teams/workflows/1') });
    await make('ntfy', { url: receiver.url('/ntfy/backups'), token: 'tk_secret_token' });
    await make('webhook', { url: receiver.url('/hook') });
    await make('pagerduty', { routing_key: 'R0UT1NGKEY0123456789abcdefABCDEF' });
    await make('email', { to: 'oncall@example.com' });
    const res = await o.app.request('/api/v3/checks/', {
      method: 'POST',
      headers: { 'x-api-key': tenant.api_key, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'nightly-backup', tags: 'prod db', timeout: 60, grace: 60 }),
    });
    checkId = ((await res.json()) as { uuid: string }).uuid;
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
    await receiver.stop();
    await smtp.stop();
  });

  it('an email channel alerts only after its address confirmed the signed link (a page with a button: scanners confirm nothing)', async () => {
    await pump();
    const mails = smtp.to('oncall@example.com');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.mail.subject).toBe('Confirm your Overdue alert address');
    const link = /https:\/\/overdue\.example(\/channels\/confirm\?token=\S+)/.exec(mails[0]!.mail.text ?? '')![1]!;
    const shown = await o.app.request(link);
    expect(shown.status).toBe(200);
    expect((await api('GET', `/api/v1/channels/${channels.email.id}`, undefined, tenant.api_key)).body.state).toBe('unconfirmed');
    const token = new URL(link, 'https://x').searchParams.get('token')!;
    const forged = await o.app.request('/channels/confirm', { method: 'POST', body: new URLSearchParams({ token: token.slice(0, -2) + 'xx' }) });
    expect(forged.status).toBe(400);
    const confirmed = await o.app.request('/channels/confirm', { method: 'POST', body: new URLSearchParams({ token }) });
    expect(confirmed.status).toBe(200);
    expect((await api('GET', `/api/v1/channels/${channels.email.id}`, undefined, tenant.api_key)).body.state).toBe('active');
  });

  it('a late check alerts every channel once, in its documented format, with name, tags, how late and the last ping body', async () => {
    expect((await ping('', 'dump: 0 bytes written\nexit 0')).status).toBe(200);
    await later(60_000 + 60_000 + 1_000);
    await pump();
    await pump(); // a second pass sends nothing more

    const slack = receiver.on('/slack/T1/B1/secret');
    expect(slack).toHaveLength(1);
    expect(slack[0]!.body.text).toContain('nightly-backup');
    expect(slack[0]!.body.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    expect(JSON.stringify(slack[0]!.body.blocks)).toContain('Tags: prod db');
    expect(JSON.stringify(slack[0]!.body.blocks)).toContain('Late by: 1 min');
    expect(JSON.stringify(slack[0]!.body.blocks)).toContain('dump: 0 bytes written');

    const discord = receiver.on('/discord/api/webhooks/1/tok');
    expect(discord).toHaveLength(1);
    expect(discord[0]!.body.content).toContain('nightly-backup');
    expect(discord[0]!.body.embeds[0]).toMatchObject({ color: 0xd93025, title: expect.stringContaining('nightly-backup') });
    expect(discord[0]!.body.embeds[0].fields).toEqual(expect.arrayContaining([{ name: 'Tags', value: 'prod db', inline: true }]));
    expect(discord[0]!.body.allowed_mentions).toEqual({ parse: [] });

    const teams = receiver.on('/teams/workflows/1');
    expect(teams).toHaveLength(1);
    expect(teams[0]!.body.type).toBe('message');
    expect(teams[0]!.body.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(teams[0]!.body.attachments[0].content).toMatchObject({ type: 'AdaptiveCard', body: expect.arrayContaining([expect.objectContaining({ type: 'FactSet' })]) });

    const ntfy = receiver.on('/ntfy/backups');
    expect(ntfy).toHaveLength(1);
    expect(ntfy[0]!.headers).toMatchObject({ title: expect.stringContaining('nightly-backup'), priority: 'urgent', tags: 'rotating_light', authorization: 'Bearer tk_secret_token' });
    expect(ntfy[0]!.raw).toContain('dump: 0 bytes written');

    const hook = receiver.on('/hook');
    expect(hook).toHaveLength(1);
    // Verified with the standardwebhooks package against the secret shown once at creation.
    const verified = new Webhook(channels.webhook.secret.signing_secret).verify(hook[0]!.raw, hook[0]!.headers as Record<string, string>) as any;
    expect(verified).toMatchObject({ type: 'alert.check.down', data: { kind: 'check.down', state: 'failing', title: expect.stringContaining('nightly-backup') } });
    expect(verified.data.links).toEqual(expect.arrayContaining([{ label: 'Check (API)', url: `https://overdue.example/api/v3/checks/${checkId}` }]));

    const pd = receiver.on('/pd/v2/enqueue');
    expect(pd).toHaveLength(1);
    expect(pd[0]!.body).toMatchObject({
      routing_key: 'R0UT1NGKEY0123456789abcdefABCDEF',
      event_action: 'trigger',
      dedup_key: `overdue-check:${checkId}`,
      payload: { summary: expect.stringContaining('nightly-backup'), source: 'overdue', severity: 'critical', timestamp: expect.any(String), custom_details: expect.objectContaining({ Tags: 'prod db' }) },
    });

    const mail = smtp.to('oncall@example.com').slice(1);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.mail.subject).toContain('nightly-backup');
    expect(mail[0]!.mail.text).toContain('Late by: 1 min');
    expect(mail[0]!.mail.html).toContain('dump: 0 bytes written');

    const alerts = await api('GET', '/api/v1/alerts', undefined, tenant.api_key);
    expect(alerts.body.data[0]).toMatchObject({ kind: 'check.down', state: 'failing', source: `check:${checkId}` });
  });

  it('the recovery reaches every channel, and PagerDuty resolves with the same dedup_key', async () => {
    await ping('');
    await pump();
    const pd = receiver.on('/pd/v2/enqueue');
    expect(pd).toHaveLength(2);
    expect(pd[1]!.body).toEqual({ routing_key: 'R0UT1NGKEY0123456789abcdefABCDEF', event_action: 'resolve', dedup_key: pd[0]!.body.dedup_key });
    expect(receiver.on('/slack/T1/B1/secret')[1]!.body.text).toMatch(/nightly-backup is up again/);
    expect(receiver.on('/hook')).toHaveLength(2);
    expect(smtp.to('oncall@example.com')).toHaveLength(3);
  });

  it('a test alert answers what the receiver said; a failing receiver is reported with its status', async () => {
    const ok = await api('POST', `/api/v1/channels/${channels.slack.id}/test`, undefined, tenant.api_key);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ delivered: true });
    expect(receiver.on('/slack/T1/B1/secret').at(-1)!.body.text).toMatch(/Test alert/);

    receiver.answers.set('/discord/api/webhooks/1/tok', () => ({ status: 404, headers: {} }));
    const failed = await api('POST', `/api/v1/channels/${channels.discord.id}/test`, undefined, tenant.api_key);
    expect(failed.body).toMatchObject({ delivered: false, status: 404, error: expect.stringContaining('404') });
    receiver.answers.delete('/discord/api/webhooks/1/tok');
  });

  it('private alerts carry internals; nothing about the check reached the public page', async () => {
    const page = await o.app.request('/');
    const html = await page.text();
    expect(html).not.toContain('nightly-backup');
    expect(html).not.toMatch(new RegExp(checkId));
    const json = await (await o.app.request('/api/v2/incidents.json')).text();
    expect(json).not.toContain('nightly-backup');
    expect(json).not.toMatch(UUID.test(checkId) ? new RegExp(checkId) : /$^/);
  });
});
