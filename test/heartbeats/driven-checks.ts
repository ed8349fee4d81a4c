import { expect } from 'vitest';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import type { TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import type { perTestResources } from '../support/resources.js';

/** A driven instance on a manual clock, an admin key, and small helpers over the real app. */
export async function drivenChecks(resources: ReturnType<typeof perTestResources>, start = '2026-03-01T12:00:00Z') {
  const t: TestDatabase = await resources.database();
  const clock = new ManualClock(start);
  const o: TestOverdue = resources.track(await drivenOverdue({ database: t, clock }));
  const key = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
  const api = async (method: string, path: string, body?: unknown, k: string | null = key) => {
    const res = await o.app.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...(k && { 'x-api-key': k }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const create = async (spec: Record<string, unknown>) => {
    const res = await api('POST', '/api/v3/checks/', spec);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.uuid as string;
  };
  const at = (iso: string) => clock.jump(iso);
  const ping = async (id: string, suffix = '', rid?: string) => {
    const res = await o.app.request(`/ping/${id}${suffix}${rid ? `?rid=${rid}` : ''}`);
    expect(res.status).toBe(200);
  };
  const flips = (id: string) => t.db.selectFrom('flips').selectAll().where('check_id', '=', id).orderBy('id').execute();
  const signals = (id: string) => t.db.selectFrom('signals').selectAll().where('source', '=', `check:${id}`).orderBy('id').execute();
  const alertEvents = (id: string) => t.db.selectFrom('alert_events').selectAll().where('source', '=', `check:${id}`).orderBy('id').execute();
  return { t, clock, o, key, api, create, at, ping, flips, signals, alertEvents };
}

