import { sql, type Expression, type Insertable, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely';
import type { Database } from '../db/database.js';
import type { AlertChannelTable } from './table.js';

type Db = Kysely<Database> | Transaction<Database>;
export type ChannelRow = Selectable<AlertChannelTable>;
/** Whose channels: a tenant, or the platform (null). */
export type Owner = { tenantId: string | null };

const ownedBy = <T extends { where: (...a: any[]) => T }>(q: T, owner: Owner): T =>
  owner.tenantId === null ? q.where('tenant_id', 'is', null) : q.where('tenant_id', '=', owner.tenantId);

// Channels

export async function insertChannel(db: Db, row: Insertable<AlertChannelTable>): Promise<ChannelRow> {
  return db.insertInto('alert_channels').values(row).returningAll().executeTakeFirstOrThrow();
}

/** An owner's channels by creation, after `afterId` when paging. */
export async function listChannels(db: Db, owner: Owner, after: { createdAt: Date; id: string } | null, limit: number): Promise<ChannelRow[]> {
  let q = ownedBy(db.selectFrom('alert_channels').selectAll(), owner);
  if (after) q = q.where(sql<boolean>`(created_at, id) > (${after.createdAt}::timestamptz, ${after.id}::uuid)`);
  return q.orderBy('created_at').orderBy('id').limit(limit).execute();
}

export async function findChannel(db: Db, id: string): Promise<ChannelRow | undefined> {
  return db.selectFrom('alert_channels').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function channelNameTaken(db: Db, owner: Owner, name: string, exceptId: string | null): Promise<boolean> {
  let q = ownedBy(db.selectFrom('alert_channels').select('id'), owner).where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()));
  if (exceptId) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

export async function updateChannel(db: Db, id: string, set: Updateable<AlertChannelTable>): Promise<ChannelRow | undefined> {
  return db.updateTable('alert_channels').set(set).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function deleteChannel(db: Db, id: string): Promise<boolean> {
  const r = await db.deleteFrom('alert_channels').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Guarded: a second click changes nothing. */
export async function confirmChannel(db: Db, id: string, now: Date): Promise<boolean> {
  const r = await db.updateTable('alert_channels').set({ confirmed_at: now, updated_at: now }).where('id', '=', id).where('confirmed_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The owner's channels among `ids` (the rest are not theirs or do not exist). */
export async function ownedChannelIds(db: Db, owner: Owner, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await ownedBy(db.selectFrom('alert_channels').select('id'), owner).where('id', 'in', ids).execute();
  return rows.map((r) => r.id);
}

export async function defaultChannelIds(db: Db, owner: Owner): Promise<string[]> {
  const rows = await ownedBy(db.selectFrom('alert_channels').select('id'), owner).where('is_default', '=', true).orderBy('created_at').execute();
  return rows.map((r) => r.id);
}

// Failure tracking and quarantine (like webhook subscribers)

/** Marks the first failure of a run (guarded) and keeps the latest error; returns when the run started. */
export async function noteChannelFailure(db: Db, id: string, error: string, now: Date): Promise<Date | undefined> {
  const row = await db
    .updateTable('alert_channels')
    .set({ failing_since: sql`coalesce(failing_since, ${now}::timestamptz)`, last_error: error.slice(0, 500) })
    .where('id', '=', id)
    .returning('failing_since')
    .executeTakeFirst();
  return row?.failing_since ?? undefined;
}

export async function clearChannelFailure(db: Db, id: string): Promise<void> {
  await db.updateTable('alert_channels').set({ failing_since: null, last_error: null }).where('id', '=', id).where('failing_since', 'is not', null).execute();
}

/** Quarantines a channel and skips its queued deliveries; true when this call did it (pass a transaction). */
export async function quarantineChannel(trx: Transaction<Database>, id: string, reason: string, now: Date): Promise<boolean> {
  const r = await trx.updateTable('alert_channels').set({ quarantined_at: now, updated_at: now }).where('id', '=', id).where('quarantined_at', 'is', null).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) return false;
  await trx.updateTable('deliveries').set({ state: 'skipped', last_error: reason }).where('channel_id', '=', id).where('state', 'in', ['pending', 'failed']).execute();
  return true;
}

// Routing: which channels hear a source

export async function setRouting(db: Db, source: string, owner: Owner, channelIds: string[], channelNames: string[], now: Date): Promise<void> {
  await db
    .insertInto('alert_routing')
    .values({ source, tenant_id: owner.tenantId, channel_ids: channelIds, channel_names: channelNames.map((n) => n.toLowerCase()), updated_at: now })
    .onConflict((oc) => oc.column('source').doUpdateSet({ channel_ids: channelIds, channel_names: channelNames.map((n) => n.toLowerCase()), updated_at: now }))
    .execute();
}

export async function deleteRouting(db: Db, source: string): Promise<void> {
  await db.deleteFrom('alert_routing').where('source', '=', source).execute();
}

/** Each source's routed channel ids that still exist (sources without a routing row are absent). */
export async function routedChannels(db: Db, sources: string[]): Promise<Map<string, string[]>> {
  if (sources.length === 0) return new Map();
  const { rows } = await sql<{ source: string; ids: string[] }>`
    select r.source, coalesce(array_agg(c.id order by c.created_at) filter (where c.id is not null), '{}') as ids
    from alert_routing r
    left join alert_channels c on (c.id = any(r.channel_ids) or lower(c.name) = any(r.channel_names)) and c.tenant_id is not distinct from r.tenant_id
    where r.source = any(${sources}::text[])
    group by r.source`.execute(db);
  return new Map(rows.map((r) => [r.source, r.ids]));
}

/** A source ranked among those a channel hears, with how many it hears in all. */
export interface ChannelUser {
  channelId: string;
  source: string;
  label: string;
  total: number;
}

/**
 * For each of the owner's channels, how many of `sources` it hears and the
 * first `shown` of them by label, in one statement, as `effective` decides:
 * a source with a routing row hears the owner's channels it names (by id, or
 * by name for checks-as-code); one without hears the owner's default
 * channels, or all of them when none is default. `sources` is a subquery of
 * (source, label) rows from the feature that owns them (heartbeats' checks),
 * so however many there are, only `shown` per channel leave the database.
 */
export async function channelUsers(db: Db, owner: Owner, sources: Expression<{ source: string; label: string }>, shown: number): Promise<ChannelUser[]> {
  const { rows } = await sql<{ channel_id: string; source: string; label: string; total: number }>`
    with src as (${sources}),
    mine as (select id, name, is_default from alert_channels where tenant_id is not distinct from ${owner.tenantId}::uuid),
    fallback as (select id from mine where is_default or not exists (select 1 from mine where is_default)),
    uses as (
      select c.id as channel_id, s.source, s.label
      from src s
      join alert_routing r on r.source = s.source and r.tenant_id is not distinct from ${owner.tenantId}::uuid
      join mine c on c.id = any(r.channel_ids) or lower(c.name) = any(r.channel_names)
      union all
      select f.id, s.source, s.label
      from src s cross join fallback f
      where not exists (select 1 from alert_routing r where r.source = s.source)
    ),
    ranked as (
      select channel_id, source, label,
             row_number() over (partition by channel_id order by lower(label), label, source) as i,
             count(*) over (partition by channel_id) as total
      from uses
    )
    select channel_id, source, label, total::int as total from ranked where i <= ${shown} order by channel_id, i`.execute(db);
  return rows.map((r) => ({ channelId: r.channel_id, source: r.source, label: r.label, total: Number(r.total) }));
}

export interface AlertRecipient {
  eventId: bigint;
  channelId: string;
}

/**
 * Who hears each alert event, in one statement. A routed event (a monitored
 * source's failure or recovery) goes to the channels its source chose (by id,
 * or by name for checks-as-code) among its owner's; a source nobody routed,
 * and every other event, goes to the owner's default channels (all the
 * owner's channels when none is default). Never to a quarantined channel or
 * an email channel whose address has not confirmed.
 */
export async function recipientsOf(db: Db, events: { id: bigint; tenantId: string | null; source: string | null }[]): Promise<AlertRecipient[]> {
  if (events.length === 0) return [];
  const { rows } = await sql<{ event_id: string; channel_id: string }>`
    with ev as (
      select * from unnest(${events.map((e) => e.id.toString())}::bigint[], ${events.map((e) => e.tenantId)}::uuid[], ${events.map((e) => e.source)}::text[]) as ev(id, tenant_id, source)
    ),
    owner_defaults as (
      select coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid) as owner, bool_or(is_default) as has_default
      from alert_channels group by 1
    )
    select ev.id::text as event_id, c.id as channel_id
    from ev
    left join alert_routing r on r.source = ev.source
    join alert_channels c on c.tenant_id is not distinct from ev.tenant_id
    join owner_defaults d on d.owner = coalesce(c.tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)
    where c.quarantined_at is null
      and (c.kind <> 'email' or c.confirmed_at is not null)
      and case when r.source is not null then c.id = any(r.channel_ids) or lower(c.name) = any(r.channel_names)
               else c.is_default or not d.has_default end`.execute(db);
  return rows.map((r) => ({ eventId: BigInt(r.event_id), channelId: r.channel_id }));
}
