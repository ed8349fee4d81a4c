import { afterAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/connect.js';
import { testOverdue } from '../support/app.js';
import { capturingLogger, silentDeps } from '../support/quiet.js';

// Nothing listens on port 1: every connection is refused, as when the
// database is down. No database server is involved, so this runs once.
describe('with the database unreachable', () => {
  const { logger, lines } = capturingLogger();
  const unreachable = openPostgres('postgres://postgres@127.0.0.1:1/overdue', 2, { ...silentDeps(), logger });
  const o = testOverdue({ database: unreachable, logger });
  afterAll(() => unreachable.close());
  const key = { 'X-Api-Key': 'od_admin_does_not_matter' };
  const uuid = '8e7a2c1d-5f4b-4c3a-9d2e-1f0a9b8c7d6e';

  it.each([
    ['GET', '/api/v1/me'],
    ['GET', '/api/v1/jobs'],
    ['POST', '/api/v1/tenants'],
    ['GET', '/api/v1/incidents'],
  ])('%s %s answers 503 with Retry-After and the JSON error body', async (method, path) => {
    const res = await o.app.request(path, { method, headers: { ...key, 'content-type': 'application/json' }, ...(method === 'POST' && { body: '{}' }) });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toEqual({ error: { code: 'unavailable', message: expect.stringMatching(/database/) } });
  });

  it('the v3 API answers 503 in its own error shape', async () => {
    const res = await o.app.request(`/api/v3/checks/${uuid}`, { headers: key });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toEqual({ error: expect.any(String) });
  });

  it('pings answer 503, /readyz 503, /healthz 200', async () => {
    expect((await o.app.request(`/ping/${uuid}`)).status).toBe(503);
    expect((await o.app.request('/readyz')).status).toBe(503);
    expect((await o.app.request('/healthz')).status).toBe(200);
  });

  it('a burst of failing requests writes a few log lines, not one stack per request', async () => {
    const before = lines.length;
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? o.app.request(`/api/v3/checks/${uuid}`, { headers: key }) : o.app.request(`/ping/${uuid}`))),
    );
    // (Each API request still has its access line at info; the errors behind them are what is limited.)
    const errors = lines.slice(before).filter((l) => l.level >= 40);
    expect(errors.length).toBeLessThanOrEqual(3);
    expect(lines.slice(before).filter((l) => l.err?.stack).length).toBeLessThanOrEqual(3);
  });
});
