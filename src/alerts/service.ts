import { randomUUID } from 'node:crypto';
import type { Expression, Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { enqueueDeliveries, signToken, verifyToken, WebhookError } from '../notify/index.js';
import type { SecretBox } from '../secret-box.js';
import { parseChannelConfig } from './kinds.js';
import type { AlertMessage } from './message.js';
import { sendToChannel, type ChannelSenderDeps } from './sender.js';
import {
  channelNameTaken,
  channelUsers,
  clearChannelFailure,
  confirmChannel,
  defaultChannelIds,
  deleteChannel,
  deleteRouting,
  findChannel,
  insertChannel,
  listChannels,
  ownedChannelIds,
  routedChannels,
  setRouting,
  updateChannel,
  type ChannelRow,
  type Owner,
} from './store.js';
import type { ChannelKind } from './table.js';

const CONFIRM_TTL_MS = 7 * 86_400_000;
const NAME_MAX = 100;

export interface ChannelInput {
  kind: ChannelKind;
  name: string;
  config: unknown;
  isDefault: boolean;
}

export interface ChannelPatch {
  name?: string;
  config?: unknown;
  isDefault?: boolean;
}

export type TestOutcome = { delivered: true } | { delivered: false; status: number | null; error: string };

export interface AlertChannelsDeps {
  db: Kysely<Database>;
  clock: Clock;
  publicUrl: string;
  box: () => Promise<SecretBox>;
  sender: Omit<ChannelSenderDeps, 'box'>;
  tokenSecret: () => Promise<Buffer>;
  /** Each outbound URL passes notify's target checks at creation (and again at each send). */
  refuseTarget: (url: string) => Promise<string | undefined>;
}

/**
 * Operators' alert channels: create (the secret part sealed and shown once),
 * read, change, delete, test now; email addresses confirm a signed link
 * before they get alerts. Also the routing port other features use: which
 * channels a source alerts.
 */
export function createAlertChannels(deps: AlertChannelsDeps) {
  const { db, clock } = deps;

  async function parse(kind: ChannelKind, config: unknown, previous?: Record<string, string> | null) {
    const parsed = parseChannelConfig(kind, config, previous);
    if ('error' in parsed) throw new AppError('validation_failed', parsed.error);
    for (const url of parsed.targets) {
      const refused = await deps.refuseTarget(url);
      if (refused) throw new AppError('validation_failed', `config.url: ${refused}`);
    }
    return parsed;
  }

  async function queueConfirmation(channel: ChannelRow): Promise<void> {
    const now = clock.now();
    const to = (channel.config as { to: string }).to;
    const token = signToken(await deps.tokenSecret(), 'channel-confirm', channel.id, new Date(now.getTime() + CONFIRM_TTL_MS));
    const link = `${deps.publicUrl}/channels/confirm?token=${token}`;
    const text = `Someone added ${to} as an alert channel ("${channel.name}") in Overdue.\n\nTo receive alerts at this address, confirm within 7 days:\n${link}\n\nIf this was not you, ignore this mail: nothing more will be sent.\n`;
    const html = `<p>Someone added this address as an alert channel in Overdue.</p><p><a href="${link}">Confirm to receive alerts</a> (valid for 7 days).</p><p>If this was not you, ignore this mail: nothing more will be sent.</p>`;
    await enqueueDeliveries(
      db,
      [{ eventKey: `channel-confirm:${channel.id}:${channel.updated_at.getTime()}`, recipient: `email:${to.toLowerCase()}`, channel: 'email', subscriberId: null, payload: { kind: 'email', to, subject: 'Confirm your Overdue alert address', text, html, unsubscribeUrl: null } }],
      now,
    );
  }

  async function owned(owner: Owner, id: string): Promise<ChannelRow> {
    const row = /^[0-9a-f-]{36}$/.test(id) ? await findChannel(db, id) : undefined;
    if (!row || row.tenant_id !== owner.tenantId) throw new AppError('not_found', `no channel ${id}`);
    return row;
  }

  /** The name rule for every caller (API and console): 1–100 characters, no control characters, unique per owner. Returns it trimmed. */
  async function uniqueName(owner: Owner, raw: unknown, exceptId: string | null): Promise<string> {
    // eslint-disable-next-line no-control-regex
    if (typeof raw !== 'string' || raw.trim() === '' || raw.length > NAME_MAX || /[\u0000-\u001f\u007f]/.test(raw)) {
      throw new AppError('validation_failed', `name must be 1 to ${NAME_MAX} characters without control characters`);
    }
    const name = raw.trim();
    if (await channelNameTaken(db, owner, name, exceptId)) throw new AppError('conflict', `a channel named ${JSON.stringify(name)} exists`);
    return name;
  }

  return {
    async create(owner: Owner, input: ChannelInput): Promise<{ channel: ChannelRow; secret: Record<string, string> | null }> {
      const parsed = await parse(input.kind, input.config);
      const name = await uniqueName(owner, input.name, null);
      const now = clock.now();
      const channel = await insertChannel(db, {
        id: randomUUID(),
        tenant_id: owner.tenantId,
        kind: input.kind,
        name,
        config: JSON.stringify(parsed.shown),
        sealed_secret: parsed.secret ? (await deps.box()).seal(parsed.secret) : null,
        is_default: input.isDefault,
        confirmed_at: input.kind === 'email' ? null : now,
        failing_since: null,
        quarantined_at: null,
        last_error: null,
        created_at: now,
        updated_at: now,
      });
      if (input.kind === 'email') await queueConfirmation(channel);
      return { channel, secret: parsed.secret };
    },

    list: (owner: Owner, after: { createdAt: Date; id: string } | null, limit: number) => listChannels(db, owner, after, limit),
    get: owned,

    async update(owner: Owner, id: string, patch: ChannelPatch): Promise<{ channel: ChannelRow; secret: Record<string, string> | null }> {
      const row = await owned(owner, id);
      const name = patch.name === undefined ? undefined : await uniqueName(owner, patch.name, row.id);
      const now = clock.now();
      let secret: Record<string, string> | null = null;
      const set: Parameters<typeof updateChannel>[2] = { updated_at: now, ...(name !== undefined && { name }), ...(patch.isDefault !== undefined && { is_default: patch.isDefault }) };
      let readdressed = false;
      if (patch.config !== undefined) {
        const box = await deps.box();
        const previous = row.sealed_secret ? (box.open(row.sealed_secret) as Record<string, string>) : null;
        const parsed = await parse(row.kind, patch.config, previous);
        secret = parsed.secret;
        readdressed = row.kind === 'email' && (row.config as { to: string }).to.toLowerCase() !== String(parsed.shown.to).toLowerCase();
        // A new receiver starts with a clean record; a new address confirms again.
        Object.assign(set, { config: JSON.stringify(parsed.shown), sealed_secret: parsed.secret ? box.seal(parsed.secret) : null, failing_since: null, quarantined_at: null, last_error: null, ...(readdressed && { confirmed_at: null }) });
      }
      const channel = (await updateChannel(db, row.id, set))!;
      if (readdressed) await queueConfirmation(channel);
      return { channel, secret };
    },

    async remove(owner: Owner, id: string): Promise<void> {
      const row = await owned(owner, id);
      await deleteChannel(db, row.id);
    },

    /** Sends a test alert now and says what the receiver answered; a success lifts a quarantine. */
    async test(owner: Owner, id: string): Promise<TestOutcome> {
      const row = await owned(owner, id);
      if (row.kind === 'email' && !row.confirmed_at) throw new AppError('conflict', 'the address has not confirmed yet: it gets nothing, tests included, until it does');
      const now = clock.now();
      const m: AlertMessage = {
        eventId: `test-${randomUUID()}`,
        kind: 'test',
        state: 'info',
        severity: 'info',
        title: `Test alert for "${row.name}"`,
        text: `If you can read this, Overdue can alert you on this ${row.kind} channel.`,
        facts: [{ name: 'Sent at', value: `${now.toISOString().slice(0, 19).replace('T', ' ')} UTC` }],
        excerpt: null,
        links: [{ label: 'Channel (API)', url: `${deps.publicUrl}/api/v1/channels/${row.id}` }],
        dedupKey: `overdue-test-${row.id}`,
        at: now.toISOString(),
      };
      try {
        await sendToChannel({ ...deps.sender, box: deps.box }, row, m, randomUUID(), now);
        if (row.kind === 'pagerduty') await sendToChannel({ ...deps.sender, box: deps.box }, row, { ...m, state: 'recovered' }, randomUUID(), now);
      } catch (err) {
        return { delivered: false, status: err instanceof WebhookError ? err.status : null, error: (err as Error)?.message ?? String(err) };
      }
      if (row.failing_since || row.quarantined_at) {
        await clearChannelFailure(db, row.id);
        if (row.quarantined_at) await updateChannel(db, row.id, { quarantined_at: null, updated_at: now });
      }
      return { delivered: true };
    },

    /** Confirms an email channel from its signed link; false when the link is forged or expired or the channel is gone. */
    async confirm(token: string): Promise<boolean> {
      const id = verifyToken(await deps.tokenSecret(), token, 'channel-confirm', clock.now());
      if (!id || !(await findChannel(db, id))) return false;
      await confirmChannel(db, id, clock.now());
      return true;
    },

    // The routing port (heartbeats' v3 `channels`, checks-as-code).

    /** healthchecks' `channels` value: "*" every channel of the owner, "" none, or comma-separated ids of the owner's channels. */
    async resolve(owner: Owner, spec: string): Promise<string[] | { error: string }> {
      const s = spec.trim();
      if (s === '') return [];
      if (s === '*') return (await listChannels(db, owner, null, 1000)).map((c) => c.id);
      const ids = [...new Set(s.split(',').map((x) => x.trim()).filter(Boolean))];
      if (ids.length > 100) return { error: 'too many channels' };
      const bad = ids.find((x) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(x));
      if (bad) return { error: `invalid channel identifier: ${bad.slice(0, 64)}` };
      const mine = new Set(await ownedChannelIds(db, owner, ids));
      const missing = ids.find((x) => !mine.has(x));
      return missing ? { error: `invalid channel identifier: ${missing}` } : ids;
    },
    defaults: (owner: Owner) => defaultChannelIds(db, owner),
    /** The channels each source alerts: its routing, else the owner's defaults (all the owner's channels when none is default). */
    async effective(owner: Owner, sources: string[]): Promise<Map<string, string[]>> {
      const routed = await routedChannels(db, sources);
      if (routed.size === sources.length) return routed;
      const all = await listChannels(db, owner, null, 1000);
      const defaults = all.filter((c) => c.is_default);
      const fallback = (defaults.length ? defaults : all).map((c) => c.id);
      return new Map(sources.map((s) => [s, routed.get(s) ?? fallback]));
    },
    /**
     * Per channel of the owner, how many of `sources` alert it (as `effective`
     * decides) and the first `shown` by label. `sources` is a (source, label)
     * subquery from the feature that owns them, handed over at the composition
     * root; the counting happens in the database.
     */
    async users(owner: Owner, sources: Expression<{ source: string; label: string }>, shown: number): Promise<Map<string, { total: number; first: { source: string; label: string }[] }>> {
      const out = new Map<string, { total: number; first: { source: string; label: string }[] }>();
      for (const u of await channelUsers(db, owner, sources, shown)) {
        const entry = out.get(u.channelId) ?? { total: u.total, first: [] };
        entry.first.push({ source: u.source, label: u.label });
        out.set(u.channelId, entry);
      }
      return out;
    },
    route: (source: string, owner: Owner, ids: string[]) => setRouting(db, source, owner, ids, [], clock.now()),
    /** Each source's own routing (sources that follow their owner's defaults are absent). */
    routed: (sources: string[]) => routedChannels(db, sources),
    /** The source follows its owner's default channels again. */
    unroute: (source: string) => deleteRouting(db, source),
    async catalog(owner: Owner) {
      return (await listChannels(db, owner, null, 1000)).map((c) => ({ id: c.id, name: c.name, kind: c.kind as string }));
    },
    /** Checks-as-code: a platform source routed to channels by name (names not found yet match when such a channel is created); null clears it. */
    async routeNamed(source: string, names: string[] | null): Promise<void> {
      if (names === null) return deleteRouting(db, source);
      await setRouting(db, source, { tenantId: null }, [], names, clock.now());
    },
  };
}

export type AlertChannels = ReturnType<typeof createAlertChannels>;
