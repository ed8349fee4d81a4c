import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { json } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';

describe(`incident history pages on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let clock: ManualClock;
  const ids: string[] = [];

  beforeAll(async () => {
    t = await testDatabase();
    clock = new ManualClock('2025-03-01T12:00:00Z');
    o = await drivenOverdue({ database: t, clock });
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    for (let i = 0; i < 30; i++) {
      const res = await o.app.request('/api/v1/incidents', {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Incident ${i}`, status: 'resolved', impact: 'minor', body: 'Fixed.' }),
      });
      ids.push((await json(res)).id);
      await clock.jump(new Date(clock.now().getTime() + 3 * 86_400_000)); // spread over three months
    }
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('pages the history 25 incidents at a time, newest first, grouped by month, with links between pages', async () => {
    const first = await (await o.app.request('/history')).text();
    expect(first).toContain('Incident 29');
    expect(first).not.toContain('Incident 4<');
    expect((first.match(/<article/g) ?? []).length).toBe(25);
    expect(first).toContain('Page 1 of 2');
    expect(first).toContain('href="/history/2"');
    expect(first).toMatch(/<h2>May 2025<\/h2>/);
    const second = await (await o.app.request('/history/2')).text();
    expect((second.match(/<article/g) ?? []).length).toBe(5);
    expect(second).toContain('Incident 0<');
    expect(second).toContain('href="/history"');
    expect((await o.app.request('/history/3')).status).toBe(404);
  });

  it('every incident in the history has its detail page, beyond the 50 of the JSON lists', async () => {
    const oldest = await o.app.request(`/incidents/${ids[0]}`);
    expect(oldest.status).toBe(200);
    const html = await oldest.text();
    expect(html).toContain('<h1>');
    expect(html).toContain('Incident 0');
    expect(html).toMatch(/<time datetime="2025-03-01T12:00:00.000Z">2025-03-01 12:00 UTC<\/time>/);
  });

  it('large documents also come gzip-compressed once per render, as their own representation with its own ETag', async () => {
    const plain = await o.app.request('/history');
    const zipped = await o.app.request('/history', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toBe('Accept-Encoding');
    const text = await plain.text();
    const raw = Buffer.from(await zipped.arrayBuffer());
    expect(gunzipSync(raw).toString()).toBe(text);
    expect(raw.length).toBeLessThan(text.length / 3);
    const etag = zipped.headers.get('etag')!;
    expect(etag).not.toBe(plain.headers.get('etag'));
    expect((await o.app.request('/history', { headers: { 'accept-encoding': 'gzip', 'if-none-match': etag } })).status).toBe(304);
    expect((await o.app.request('/history', { headers: { 'if-none-match': etag } })).status).toBe(200);
  });
});
