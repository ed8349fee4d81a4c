import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, created, type Api } from '../support/http.js';
import { newTenant } from '../support/tenants.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';

/**
 * The channels API: each kind's config validated, secrets sealed and shown
 * once, owners kept apart, and healthchecks' v3 routing (`channels` on a check,
 * `GET /api/v3/channels/`).
 */
describe(`alert channels API on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let api: Api;
  let admin: string;
  let tenantA: { id: string; api_key: string };
  let tenantB: { id: string; api_key: string };
  let readOnlyA: string;

  const v3 = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await o.app.request(`/api/v3${path}`, { method, headers: { 'x-api-key': key, 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    t = await testDatabase();
    const clock = new ManualClock(new Date('2026-12-01T10:00:00Z'));
    o = await drivenOverdue({ database: t, clock, env: { WEBHOOK_ALLOW_PRIVATE: '127.0.0.1', PUBLIC_URL: 'https://overdue.example' } });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
    tenantA = await newTenant(api, 'acme');
    tenantB = await newTenant(api, 'globex');
    readOnlyA = await insertApiKey(t.db, { kind: 'tenant', tenantId: tenantA.id, readOnly: true }, clock.now());
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('creates every kind; the secret part is in the 201 only, sealed at rest, and never read back', async () => {
    const slackUrl = 'http://127.0.0.1:9/services/T000/B000/XXXXSECRETXXXX';
    const cases = [
      { kind: 'slack', config: { url: slackUrl }, shown: { host: '127.0.0.1:9' }, secret: { url: slackUrl } },
      { kind: 'discord', config: { url: 'http://127.0.0.1:9/api/webhooks/1/tokSECRET123' }, shown: { host: '127.0.0.1:9' } },
      { kind: 'msteams', config: { url: 'http://127.0.0.1:9/workflows/abcWORKFLOW42' }, shown: { host: '127.0.0.1:9' } },
      { kind: 'ntfy', config: { url: 'http://127.0.0.1:9/alertsTOPIC77', token: 'tk_abcdef' }, shown: { host: '127.0.0.1:9', token: 'set' } },
      { kind: 'pagerduty', config: { routing_key: 'R0UT1NGKEY0123456789abcdefABCDEF' }, shown: { routing_key_hint: '…CDEF' } },
      { kind: 'webhook', config: { url: 'http://127.0.0.1:9/hookSECRETPATH' }, shown: { host: '127.0.0.1:9' } },
      { kind: 'email', config: { to: 'oncall@example.com' }, shown: { to: 'oncall@example.com' } },
    ];
    for (const c of cases) {
      const body = await created(api, '/api/v1/channels', { kind: c.kind, name: `ops ${c.kind}`, config: c.config }, tenantA.api_key);
      expect(body).toMatchObject({ kind: c.kind, name: `ops ${c.kind}`, config: c.shown, default: false, tenant_id: tenantA.id });
      expect(body.state).toBe(c.kind === 'email' ? 'unconfirmed' : 'active');
      if (c.kind === 'email') expect(body).not.toHaveProperty('secret');
      else expect(body.secret).toMatchObject(c.secret ?? {});
      if (c.kind === 'webhook') expect(body.secret.signing_secret).toMatch(/^whsec_[A-Za-z0-9+/=]{20,}$/);

      const read = await api('GET', `/api/v1/channels/${body.id}`, undefined, tenantA.api_key);
      expect(read.status).toBe(200);
      expect(read.body).not.toHaveProperty('secret');
      const row = await t.db.selectFrom('alert_channels').selectAll().where('id', '=', body.id).executeTakeFirstOrThrow();
      // At rest: nothing of the secret in the clear, in any column.
      for (const v of Object.values(c.config as unknown as Record<string, string>)) {
        if (c.kind === 'email') continue;
        expect(JSON.stringify(row)).not.toContain(v === 'tk_abcdef' ? v : v.split('/').pop()!);
      }
    }
    const list = await api('GET', '/api/v1/channels', undefined, tenantA.api_key);
    expect(list.body.data).toHaveLength(cases.length);
    expect(list.text).not.toContain('XXXXSECRETXXXX');
    expect(list.text).not.toContain('whsec_');
  });

  it('refuses bad kinds, configs, names and non-public URLs with a 400, and duplicates with a 409, writing nothing', async () => {
    const before = await t.db.selectFrom('alert_channels').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    const bad: [unknown, RegExp][] = [
      [{ kind: 'sms', name: 'x', config: {} }, /kind must be one of/],
      [{ kind: 'slack', name: 'x', config: { url: 'not a url' } }, /config\.url/],
      [{ kind: 'slack', name: 'x', config: { url: 'ftp://127.0.0.1/x' } }, /http or https/],
      [{ kind: 'slack', name: 'x', config: { url: 'http://10.1.2.3/hook' } }, /non-public address/],
      [{ kind: 'slack', name: 'x', config: { url: 'http://169.254.169.254/latest' } }, /non-public address/],
      [{ kind: 'slack', name: 'x', config: { url: 'http://127.0.0.1:9/x', extra: 1 } }, /config/],
      [{ kind: 'email', name: 'x', config: { to: 'not-an-address' } }, /config\.to/],
      [{ kind: 'pagerduty', name: 'x', config: { routing_key: 'short' } }, /routing_key/],
      [{ kind: 'ntfy', name: 'x', config: { url: 'http://127.0.0.1:9/t', token: 'bad token\n' } }, /token/],
      [{ kind: 'slack', name: '', config: { url: 'http://127.0.0.1:9/x' } }, /name must be/],
      [{ kind: 'slack', name: 'x'.repeat(101), config: { url: 'http://127.0.0.1:9/x' } }, /name must be/],
      [{ kind: 'slack', name: 'bad\u0000name', config: { url: 'http://127.0.0.1:9/x' } }, /^name must not contain control characters/],
      [{ kind: 'slack', name: 'x', config: { url: 'http://127.0.0.1:9/x' }, default: 'yes' }, /default must be/],
      [{ kind: 'slack', name: 'x', config: { url: `http://127.0.0.1:9/${'a'.repeat(2100)}` } }, /config\.url/],
    ];
    for (const [body, message] of bad) {
      const res = await api('POST', '/api/v1/channels', body, tenantA.api_key);
      expect(res.status, JSON.stringify(body).slice(0, 100)).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    expect((await api('POST', '/api/v1/channels', '[1]', tenantA.api_key)).status).toBe(400);
    const dup = await api('POST', '/api/v1/channels', { kind: 'slack', name: 'OPS SLACK', config: { url: 'http://127.0.0.1:9/x' } }, tenantA.api_key);
    expect(dup.status).toBe(409);
    const after = await t.db.selectFrom('alert_channels').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('keeps owners apart: another tenant and the platform see 404; a read-only key reads but cannot write', async () => {
    const mine = (await api('GET', '/api/v1/channels', undefined, tenantA.api_key)).body.data[0];
    for (const key of [tenantB.api_key, admin]) {
      expect((await api('GET', `/api/v1/channels/${mine.id}`, undefined, key)).status).toBe(404);
      expect((await api('PATCH', `/api/v1/channels/${mine.id}`, { name: 'stolen' }, key)).status).toBe(404);
      expect((await api('DELETE', `/api/v1/channels/${mine.id}`, undefined, key)).status).toBe(404);
      expect((await api('POST', `/api/v1/channels/${mine.id}/test`, undefined, key)).status).toBe(404);
    }
    expect((await api('GET', '/api/v1/channels', undefined, tenantB.api_key)).body.data).toEqual([]);
    // The admin acts on a tenant's channels only when it says so.
    expect((await api('GET', `/api/v1/channels/${mine.id}?tenant_id=${tenantA.id}`, undefined, admin)).status).toBe(200);
    expect((await api('GET', '/api/v1/channels', undefined, readOnlyA)).body.data.length).toBeGreaterThan(0);
    expect((await api('POST', '/api/v1/channels', { kind: 'slack', name: 'ro', config: { url: 'http://127.0.0.1:9/x' } }, readOnlyA)).status).toBe(403);
    expect((await api('DELETE', `/api/v1/channels/${mine.id}`, undefined, readOnlyA)).status).toBe(403);
    expect((await api('GET', '/api/v1/channels/not-a-uuid', undefined, tenantA.api_key)).status).toBe(404);
  });

  it('PATCH renames, sets default, and a new config returns its new secret once; a webhook keeps its signing secret', async () => {
    const hook = await created(api, '/api/v1/channels', { kind: 'webhook', name: 'patch me', config: { url: 'http://127.0.0.1:9/a' } }, tenantA.api_key);
    const renamed = await api('PATCH', `/api/v1/channels/${hook.id}`, { name: 'patched', default: true }, tenantA.api_key);
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'patched', default: true, config: { host: '127.0.0.1:9' } });
    expect(renamed.body).not.toHaveProperty('secret');
    const moved = await api('PATCH', `/api/v1/channels/${hook.id}`, { config: { url: 'http://127.0.0.1:9/b' } }, tenantA.api_key);
    expect(moved.body.secret).toEqual({ url: 'http://127.0.0.1:9/b', signing_secret: hook.secret.signing_secret });
    expect((await api('PATCH', `/api/v1/channels/${hook.id}`, { kind: 'slack' }, tenantA.api_key)).status).toBe(400);
    expect((await api('PATCH', `/api/v1/channels/${hook.id}`, { config: { url: 'http://10.0.0.1/' } }, tenantA.api_key)).status).toBe(400);
    expect((await api('DELETE', `/api/v1/channels/${hook.id}`, undefined, tenantA.api_key)).status).toBe(204);
    expect((await api('GET', `/api/v1/channels/${hook.id}`, undefined, tenantA.api_key)).status).toBe(404);
  });

  it('an Idempotency-Key replay answers the channel without its secret, and the secret is never stored with the key', async () => {
    const url = 'http://127.0.0.1:9/services/IDEMPOTENT-SECRET';
    const body = { kind: 'slack', name: 'idem', config: { url } };
    const first = await api('POST', '/api/v1/channels', body, tenantB.api_key, { 'idempotency-key': 'chan-1' });
    expect(first.status).toBe(201);
    expect(first.body.secret.url).toBe(url);
    const again = await api('POST', '/api/v1/channels', body, tenantB.api_key, { 'idempotency-key': 'chan-1' });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(again.body).not.toHaveProperty('secret');
    const stored = await sql<{ body: string }>`select response_body as body from idempotency_keys where key = 'chan-1'`.execute(t.db);
    expect(stored.rows[0]!.body).not.toContain('IDEMPOTENT-SECRET');
  });

  it('v3: checks take `channels` ("*", "", ids), show them as healthchecks does, and GET /channels/ lists the key\'s channels', async () => {
    const slack = await created(api, '/api/v1/channels', { kind: 'slack', name: 'v3 slack', config: { url: 'http://127.0.0.1:9/s' } }, tenantB.api_key);
    const pd = await created(api, '/api/v1/channels', { kind: 'pagerduty', name: 'v3 pd', config: { routing_key: 'R0UT1NGKEY0123456789abcdefABCDEF' } }, tenantB.api_key);
    const listed = await v3('GET', '/channels/', tenantB.api_key);
    expect(listed.body.channels).toEqual(expect.arrayContaining([{ id: slack.id, name: 'v3 slack', kind: 'slack' }, { id: pd.id, name: 'v3 pd', kind: 'pd' }]));

    const routed = await v3('POST', '/checks/', tenantB.api_key, { name: 'routed', timeout: 60, channels: pd.id });
    expect(routed.status).toBe(201);
    expect(routed.body.channels).toBe(pd.id);
    const none = await v3('POST', '/checks/', tenantB.api_key, { name: 'silent', timeout: 60, channels: '' });
    expect(none.body.channels).toBe('');
    const all = await v3('POST', `/checks/${none.body.uuid}`, tenantB.api_key, { channels: '*' });
    expect(all.body.channels.split(',').sort()).toEqual(expect.arrayContaining([slack.id, pd.id]));
    // No `channels`: the owner's defaults (here none is default, so all of them).
    const unrouted = await v3('POST', '/checks/', tenantB.api_key, { name: 'defaulted', timeout: 60 });
    expect(unrouted.body.channels.split(',')).toEqual(expect.arrayContaining([slack.id, pd.id]));
    await api('PATCH', `/api/v1/channels/${slack.id}`, { default: true }, tenantB.api_key);
    expect((await v3('GET', `/checks/${unrouted.body.uuid}`, tenantB.api_key)).body.channels).toBe(slack.id);

    // Another tenant's channel, or garbage, is healthchecks' error, and nothing changes.
    const theirs = (await api('GET', '/api/v1/channels', undefined, tenantA.api_key)).body.data[0].id;
    for (const spec of [theirs, 'nope', `${pd.id},${'x'.repeat(40)}`]) {
      const res = await v3('POST', `/checks/${routed.body.uuid}`, tenantB.api_key, { channels: spec, name: 'renamed' });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/^invalid channel identifier/);
    }
    const kept = await v3('GET', `/checks/${routed.body.uuid}`, tenantB.api_key);
    expect(kept.body).toMatchObject({ name: 'routed', channels: pd.id });
    expect((await v3('POST', '/checks/', tenantB.api_key, { name: 'x', channels: 5 })).status).toBe(400);
  });
});
