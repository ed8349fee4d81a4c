/**
 * Seeds one tenant's checks, pings and flips for the console benchmark, set
 * based (each table is one `insert … select … generate_series`), so a million
 * pings cost a few statements instead of a million round trips.
 *
 * Check `i` (1…checks) has its state and shape by arithmetic on `i`, so two
 * tenants seeded with different sizes look alike in proportion:
 *  - i % 50 = 0 down, 1 late, 2 paused, 3 new (never pinged), else up;
 *  - i % 20 = 0 is "busy": `busyPings` pings (so 1 in 100 busy checks is down);
 *  - the others get 8…98 pings, topped up so the tenant has exactly `pings`;
 *  - i % 7 = 0 is a daily cron check (02:30 UTC), the rest are simple (every 1…24 h);
 *  - names like `billing-export-eu-00042`, one to three distinct tags each.
 * Every ping's time runs back from the check's last ping, a start before each
 * success or failure, with run durations and bodies (a log tail) on finishes.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../src/db/database.js';

export interface SeedSpec {
  tenantId: string;
  pingKey: string;
  checks: number;
  pings: number;
  busyPings: number;
  now: Date;
}

export interface Seeded {
  checks: number;
  pings: number;
  flips: number;
  /** Busy checks (the most pings), for the check pages. */
  busy: { id: string; name: string; n_pings: number }[];
  /** A tag, a name fragment and a state that filter the list down to a share of it. */
  tag: string;
  search: string;
}

const WORDS = sql.raw(`array['backup','billing','search','cache','report','sync','import','cleanup','digest','invoice','export','reindex']`);
const PLACES = sql.raw(`array['eu','us','ap','prod','staging','db']`);
const TAGS = sql.raw(`array['prod','staging','db','etl','billing','nightly','hourly','eu','us','critical']`);

export async function seedConsoleTenant(db: Kysely<Database>, s: SeedSpec): Promise<Seeded> {
  const now = s.now;
  // The checks: state by i % 50, pings by i % 20 (busy) or a spread of 8…98.
  await sql`
    insert into checks (id, tenant_id, ping_key, name, slug, tags, description, kind, timeout_s, grace_s, schedule, tz,
                        status, last_ping, reference_at, alert_after, n_pings, recent_outcomes, created_at, updated_at)
    select gen_random_uuid(), ${s.tenantId}::uuid, ${s.pingKey},
           w || '-' || (${WORDS})[1 + (i / 12) % 12] || '-' || (${PLACES})[1 + (i / 144) % 6] || '-' || lpad(i::text, 5, '0'),
           'c-' || i, tags, 'Seeded by the console benchmark', kind, timeout_s, grace_s, schedule, 'UTC',
           status, last_ping, case when status in ('up') then last_ping end,
           case when status = 'up' then
             case when kind = 'simple' then last_ping + make_interval(secs => timeout_s + grace_s)
                  else last_ping + interval '1 day' + make_interval(secs => grace_s) end end,
           n, case when status = 'down' then 'ssm' when status = 'new' then '' else 'sss' end,
           ${now}::timestamptz - interval '200 days', ${now}::timestamptz
    from (
      select i, (${WORDS})[1 + i % 12] as w,
             case when i % 7 = 0 and i % 50 <> 1 then 'cron' else 'simple' end as kind,
             case when i % 50 = 1 then 3600 else 3600 * (1 + i % 24) end as timeout_s,
             -- late checks: a day of grace that began ten minutes ago, so they stay late for the whole run
             case when i % 50 = 1 then 86400 else 1800 end as grace_s,
             case when i % 7 = 0 and i % 50 <> 1 then '30 2 * * *' else '* * * * *' end as schedule,
             (${TAGS})[1 + i % 10] || case when i % 3 = 0 then ' ' || (${TAGS})[1 + (i % 10 + 1 + (i / 10) % 9) % 10] else '' end
               || case when i % 5 = 0 then ' team-' || (i % 13) else '' end as tags,
             case i % 50 when 0 then 'down' when 2 then 'paused' when 3 then 'new' else 'up' end as status,
             case when i % 50 = 3 then 0 when i % 20 = 0 then ${s.busyPings} else 8 + (i * 7919) % 91 end as n,
             case
               when i % 50 = 3 then null
               when i % 50 = 1 then ${now}::timestamptz - interval '70 minutes'
               when i % 50 = 0 then ${now}::timestamptz - interval '26 hours'
               -- daily cron checks pinged at their last 02:30 (so their next slot is ahead)
               when i % 7 = 0 then date_trunc('day', ${now}::timestamptz - interval '150 minutes') + interval '150 minutes'
               else ${now}::timestamptz - make_interval(secs => (i * 37) % 1800)
             end as last_ping
      from generate_series(1, ${s.checks}) i
    ) g`.execute(db);
  // Exactly `pings` in all: the remainder spread evenly over the ordinary checks.
  const { total } = (await sql<{ total: string }>`select coalesce(sum(n_pings), 0) as total from checks where tenant_id = ${s.tenantId}`.execute(db)).rows[0]!;
  const missing = s.pings - Number(total);
  if (missing > 0) {
    await sql`update checks c set n_pings = c.n_pings + x.more from (
      select id, ${missing}::int / count(*) over () + case when row_number() over (order by id) <= ${missing}::int % count(*) over () then 1 else 0 end as more
      from checks where tenant_id = ${s.tenantId} and n_pings between 1 and ${s.busyPings - 1}) x
      where c.id = x.id`.execute(db);
  }
  // The pings: odd n a start, even n a success (every 9th a failure) that closed the run, with a log tail.
  await sql`
    insert into pings (check_id, n, created, kind, scheme, remote_addr, method, ua, body, exitstatus, duration_ms)
    select c.id, g.n,
           c.last_ping - make_interval(secs => (c.n_pings - g.n) * 300),
           case when g.n % 2 = 1 then 'start' when g.n % 18 = 0 then 'fail' else null end,
           'https', '10.0.' || (g.n % 200) || '.' || (g.n % 250), 'POST', 'curl/8.5.0',
           case when g.n % 2 = 0 then convert_to(
             'run ' || g.n || E'\\n' || repeat('copied 4096 rows into the archive' || E'\\n', 1 + g.n % 6)
             || case when g.n % 18 = 0 then 'error: connection reset by peer' else 'exit 0' end, 'UTF8') end,
           case when g.n % 2 = 0 then case when g.n % 18 = 0 then 1 else 0 end end,
           case when g.n % 2 = 0 then 20000 + (g.n * 7919) % 100000 end
    from checks c cross join lateral generate_series(1, c.n_pings::int) g(n)
    where c.tenant_id = ${s.tenantId} and c.n_pings > 0`.execute(db);
  // Flips: each down check went new → up → down; each busy check also flapped a few times.
  await sql`
    insert into flips (check_id, tenant_id, created, detected_at, processed, old_status, new_status, reason)
    select c.id, c.tenant_id, t, t, t, old_s, new_s, case when new_s = 'down' then 'timeout' else '' end
    from checks c cross join lateral (
      select c.created_at as t, 'new' as old_s, 'up' as new_s
      union all
      select c.last_ping - make_interval(secs => k * 7200), case when k % 2 = 0 then 'down' else 'up' end, case when k % 2 = 0 then 'up' else 'down' end
      from generate_series(1, case when c.n_pings >= ${s.busyPings} then 12 else 0 end) k
      union all
      select c.last_ping + interval '1 hour', 'up', 'down' where c.status = 'down'
    ) f(t, old_s, new_s)
    where c.tenant_id = ${s.tenantId} and c.status <> 'new'`.execute(db);
  await sql`analyze checks`.execute(db);
  await sql`analyze pings`.execute(db);
  await sql`analyze flips`.execute(db);

  const counts = (
    await sql<{ checks: string; pings: string; flips: string }>`select
      (select count(*) from checks where tenant_id = ${s.tenantId}) as checks,
      (select count(*) from pings p join checks c on c.id = p.check_id where c.tenant_id = ${s.tenantId}) as pings,
      (select count(*) from flips where tenant_id = ${s.tenantId}) as flips`.execute(db)
  ).rows[0]!;
  const busy = (
    await sql<{ id: string; name: string; n_pings: string }>`select id, name, n_pings from checks
      where tenant_id = ${s.tenantId} order by n_pings desc, name limit 8`.execute(db)
  ).rows.map((r) => ({ id: r.id, name: r.name, n_pings: Number(r.n_pings) }));
  return { checks: Number(counts.checks), pings: Number(counts.pings), flips: Number(counts.flips), busy, tag: 'etl', search: 'export' };
}
