import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { pumpAlerts } from '../support/app.js';
import { backend } from '../support/db.js';
import { check, expectationsFixture, signalsOf, stateOf, type ExpectationsFixture } from './support.js';

/** Two platform invariants over one scratch table: `held` is on a component under maintenance, `plain` is not. */
const failing = () => sql<Record<string, unknown>>`select null::uuid as tenant_id, ref from violations`;
const checks = [
  check({ id: 'held', title: 'Ledger balances', scope: 'platform', kind: 'invariant', failing }),
  check({ id: 'held-twice', title: 'Ledger balances twice', scope: 'platform', kind: 'invariant', failureThreshold: 2, failing }),
  check({ id: 'plain', title: 'Unlisted invariant', scope: 'platform', kind: 'invariant', failing }),
  check({ id: 'shared', title: 'Every tenant balances', scope: 'forEachTenant', kind: 'invariant', failing: () => sql<Record<string, unknown>>`select tenant_id, ref from violations where tenant_id is not null` }),
];

// A maintenance window on a component holds its expectations as it holds its checks: no failing
// flip (so no signal, alert or incident) while it lasts, and the threshold counts afresh after it.
describe(`maintenance windows over expectations on ${backend}`, () => {
  let f: ExpectationsFixture;
  afterEach(() => f?.close());

  async function setup(window: { from: string; until: string }) {
    f = await expectationsFixture({ start: '2026-03-01T12:00:00Z', checks });
    await sql`create table violations (ref int, tenant_id uuid)`.execute(f.t.db);
    const component = await f.ok<{ id: string }>('/components', { key: f.admin, body: { name: 'Ledger', sources: ['expectation:held', 'expectation:held-twice'] } });
    return f.ok<{ id: string }>('/maintenances', {
      key: f.admin,
      body: { name: 'Ledger migration', body: 'Planned.', scheduled_for: window.from, scheduled_until: window.until, components: [component.id] },
    });
  }
  const at = (iso: string) => f.clock.jump(iso);
  const evaluate = async (...ids: string[]) => {
    for (const id of ids) await f.o.expectations.evaluate(id, 'schedule');
  };
  const violate = () => sql`insert into violations values (1)`.execute(f.t.db);
  const kinds = async (id: string) => (await signalsOf(f.t.db, id)).map((s) => s.kind);

  it('holds failing flips inside the window; the first failure after it flips, saying so, through signal and alert', async () => {
    await setup({ from: '2026-03-01T13:00:00Z', until: '2026-03-01T14:00:00Z' });
    await at('2026-03-01T12:30:00Z');
    await evaluate('held', 'plain');
    await violate();

    await at('2026-03-01T13:10:00Z');
    await evaluate('held', 'plain');
    expect(await stateOf(f.t.db, 'held')).toMatchObject({ status: 'passing', last_outcome: 'fail', consecutive_failures: 0, silenced_until: new Date('2026-03-01T14:00:00Z') });
    expect(await kinds('held')).toEqual([]);
    // An expectation no component under maintenance lists fails as usual.
    expect(await kinds('plain')).toEqual(['failing']);
    const api = await f.ok<{ state: { silenced_until: string | null } }>('/expectations/held', { key: f.admin });
    expect(api.state.silenced_until).toBe('2026-03-01T14:00:00.000Z');

    await at('2026-03-01T13:59:59.999Z');
    await evaluate('held');
    expect(await kinds('held')).toEqual([]);

    await at('2026-03-01T14:00:00Z');
    await evaluate('held');
    const [signal] = await signalsOf(f.t.db, 'held');
    expect(signal).toMatchObject({ kind: 'failing', summary: expect.stringMatching(/ \(after a maintenance window that ended at 2026-03-01 14:00 UTC\)$/) });
    expect(signal!.evidence).toMatchObject({ after_silence: 'after a maintenance window that ended at 2026-03-01 14:00 UTC' });
    expect(await stateOf(f.t.db, 'held')).toMatchObject({ status: 'failing', silenced_until: null, silence_note: '' });
    await pumpAlerts(f.o);
    const alerts = await f.t.db.selectFrom('alert_events').select('text').where('source', '=', 'expectation:held').execute();
    expect(alerts.map((a) => a.text)).toEqual(['Failing (after a maintenance window that ended at 2026-03-01 14:00 UTC) since 2026-03-01 14:00:00 UTC.']);
  });

  it("one tenant's window on its own component does not hold an expectation shared by every tenant", async () => {
    await setup({ from: '2026-03-01T13:00:00Z', until: '2026-03-01T14:00:00Z' });
    const acme = await f.tenant('acme');
    const globex = await f.tenant('globex');
    await f.ok('/pages', { key: acme.api_key, body: { slug: 'acme', name: 'Acme' } });
    const mine = await f.ok<{ id: string }>('/components', { key: acme.api_key, body: { page: 'acme', name: 'Books', sources: ['expectation:shared'] } });
    await f.ok('/maintenances', { key: acme.api_key, body: { page: 'acme', name: 'Our books', body: 'Planned.', scheduled_for: '2026-03-01T13:00:00Z', scheduled_until: '2026-03-01T14:00:00Z', components: [mine.id] } });
    await sql`insert into violations values (1, ${globex.id}::uuid)`.execute(f.t.db);
    await at('2026-03-01T13:10:00Z');
    await evaluate('shared');
    expect(await kinds('shared')).toEqual(['failing']);
    expect(await stateOf(f.t.db, 'shared')).toMatchObject({ status: 'failing', silenced_until: null });
  });

  it('a window completed early stops holding at once: the hold is cleared and the flip says when it ended', async () => {
    const maintenance = await setup({ from: '2026-03-01T13:00:00Z', until: '2026-03-01T14:00:00Z' });
    await violate();
    await at('2026-03-01T13:10:00Z');
    await evaluate('held');
    expect(await stateOf(f.t.db, 'held')).toMatchObject({ silenced_until: new Date('2026-03-01T14:00:00Z') });
    await f.ok(`/incidents/${maintenance.id}/updates`, { key: f.admin, body: { status: 'completed', body: 'Done early.' } });
    await at('2026-03-01T13:20:00Z');
    await evaluate('held');
    expect(await stateOf(f.t.db, 'held')).toMatchObject({ status: 'failing', silenced_until: null });
    const [signal] = await signalsOf(f.t.db, 'held');
    expect(signal).toMatchObject({ kind: 'failing', summary: expect.stringMatching(/ \(after a maintenance window that ended at 2026-03-01 13:20 UTC\)$/) });
  });

  it('failures inside the window do not count toward the threshold after it', async () => {
    await setup({ from: '2026-03-01T13:00:00Z', until: '2026-03-01T14:00:00Z' });
    await violate();
    await at('2026-03-01T13:30:00Z');
    await evaluate('held-twice');
    await at('2026-03-01T13:45:00Z');
    await evaluate('held-twice');
    await at('2026-03-01T14:05:00Z');
    await evaluate('held-twice');
    expect(await kinds('held-twice')).toEqual([]); // one fresh failure of two
    expect(await stateOf(f.t.db, 'held-twice')).toMatchObject({ consecutive_failures: 1, silence_note: 'after a maintenance window that ended at 2026-03-01 14:00 UTC' });
    await at('2026-03-01T14:10:00Z');
    await evaluate('held-twice');
    expect(await kinds('held-twice')).toEqual(['failing']);
  });

  it('a failing expectation still recovers inside a window; a pass after a window clears the note', async () => {
    await setup({ from: '2026-03-01T13:00:00Z', until: '2026-03-01T14:00:00Z' });
    await violate();
    await evaluate('held');
    expect(await kinds('held')).toEqual(['failing']);
    await sql`delete from violations`.execute(f.t.db);
    await at('2026-03-01T13:30:00Z');
    await evaluate('held');
    expect(await kinds('held')).toEqual(['failing', 'recovered']);

    await violate();
    await at('2026-03-01T13:40:00Z');
    await evaluate('held'); // held: passing, no flip
    await sql`delete from violations`.execute(f.t.db);
    await at('2026-03-01T14:01:00Z');
    await evaluate('held'); // the first evaluation after the window passes: nothing to say
    await violate();
    await at('2026-03-01T14:02:00Z');
    await evaluate('held');
    const last = (await signalsOf(f.t.db, 'held')).at(-1)!;
    expect(last.kind).toBe('failing');
    expect(last.summary).not.toContain('maintenance');
  });
});
