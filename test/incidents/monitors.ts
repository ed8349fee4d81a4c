import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import type { Database } from '../../src/db/database.js';
import type { TestOverdue } from '../support/app.js';
import type { ManualClock } from '../support/clock.js';
import { type Api } from '../support/http.js';

/**
 * Real monitors and real subscribers for the incident tests: a tenant's check
 * made through the v3 API and pinged, taken down by the deadline evaluator on
 * the manual clock; e-mail subscribers confirmed through the local mailbox.
 */

export interface TestCheck {
  id: string;
  source: string;
  name: string;
  slug: string;
  pingKey: string;
}

/** A check of the key's tenant (timeout 60 s, grace 60 s: down 2 min after its last ping), pinged once. */
export async function tenantCheck(o: TestOverdue, db: Kysely<Database>, key: string, name: string, slug: string): Promise<TestCheck> {
  const res = await o.app.request('/api/v3/checks/', {
    method: 'POST',
    headers: { 'X-Api-Key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ name, slug, timeout: 60, grace: 60 }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const { uuid } = (await res.json()) as { uuid: string };
  expect((await o.app.request(`/ping/${uuid}`)).status).toBe(200);
  const { ping_key } = await db.selectFrom('checks').select('ping_key').where('id', '=', uuid).executeTakeFirstOrThrow();
  return { id: uuid, source: `check:${uuid}`, name, slug, pingKey: ping_key };
}

/** Moves past the checks' deadlines and lets the deadline evaluator flip them down (their signals commit with the flips). */
export async function goDown(o: TestOverdue, clock: ManualClock): Promise<void> {
  await clock.advance(121_000);
  await o.alerts.tick();
}

/** A ping: the check is up again (a `recovered` signal when it was down). */
export async function ping(o: TestOverdue, check: TestCheck): Promise<void> {
  expect((await o.app.request(`/ping/${check.id}`)).status).toBe(200);
  await o.heartbeats.intake.drained();
}

/** Fan-out and deliveries until nothing is due. */
export async function pump(o: TestOverdue): Promise<void> {
  await o.fanOut();
  while ((await o.deliveries.tick()) > 0) {
    // until nothing is due
  }
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** The local mailbox (no SMTP_URL), newest first. */
export async function mailbox(api: Api): Promise<Mail[]> {
  const r = await api('GET', '/api/v1/mailbox');
  expect(r.status).toBe(200);
  return r.body.data;
}

/**
 * Subscribes `email` to a page and follows the confirmation link in the mail as stored
 * (the mailbox API redacts link tokens: only the recipient may follow them).
 */
export async function confirmedSubscriber(o: TestOverdue, db: Kysely<Database>, api: Api, page: string, email: string): Promise<void> {
  expect((await api('POST', `/api/v1/pages/${page}/subscribers`, { email }, null)).status).toBe(202);
  await pump(o);
  const mail = await db.selectFrom('mailbox').select('text').where('to', '=', email).where('subject', 'like', 'Confirm%').orderBy('id', 'desc').executeTakeFirstOrThrow();
  const link = /(\/subscriptions\/confirm\?token=\S+)/.exec(mail.text)![1]!;
  expect((await o.app.request(link)).status).toBe(200);
}

/** Incident mail to subscribers (not confirmations). */
export async function incidentMail(api: Api, email: string): Promise<Mail[]> {
  return (await mailbox(api)).filter((m) => m.to === email && !m.subject.startsWith('Confirm'));
}
