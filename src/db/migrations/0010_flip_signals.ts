import { sql, type Kysely } from 'kysely';

// Heartbeats now write a flip's signal in the flip's own transaction. Flips still waiting for the
// incident loop to turn them into signals at upgrade time get theirs here, with the same words, so
// none is lost; after this every flip is stored processed. Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    with marked as (update flips f set processed = now() where f.processed is null returning f.*)
    insert into signals (source, kind, tenant_id, component, severity, summary, evidence, likely_cause, created_at, processed_at)
    select 'check:' || m.check_id, case when m.new_status = 'down' then 'failing' else 'recovered' end, m.tenant_id, null, 'major',
           case when m.new_status = 'down'
                then 'Heartbeat ' || coalesce(nullif(c.name, ''), c.slug, m.check_id::text) || ' is down' || case when m.detail <> '' then ' (' || m.detail || ')' else '' end
                else 'Heartbeat ' || coalesce(nullif(c.name, ''), c.slug, m.check_id::text) || ' is up again' end,
           jsonb_build_object('check_id', m.check_id, 'reason', m.reason, 'flipped_at', m.created),
           null, m.created, null
    from marked m join checks c on c.id = m.check_id
    where (m.new_status = 'down') or (m.new_status = 'up' and m.old_status = 'down')
    order by m.id`.execute(db);
  await sql`drop index if exists flips_unprocessed_idx`.execute(db);
}
