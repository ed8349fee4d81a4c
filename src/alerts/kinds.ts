import { z } from 'zod';
import { generateWebhookSecret } from '../notify/index.js';
import type { ChannelKind } from './table.js';

export const CHANNEL_KINDS: ChannelKind[] = ['email', 'webhook', 'slack', 'discord', 'msteams', 'pagerduty', 'ntfy'];

const url = z.string().max(2000).url();
const schemas = {
  email: z.object({ to: z.string().max(254).email() }).strict(),
  webhook: z.object({ url }).strict(),
  slack: z.object({ url }).strict(),
  discord: z.object({ url }).strict(),
  msteams: z.object({ url }).strict(),
  pagerduty: z.object({ routing_key: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'routing_key must be the 32-character integration key PagerDuty shows') }).strict(),
  ntfy: z.object({ url, token: z.string().regex(/^[\x21-\x7e]{1,200}$/, 'token must be an ntfy access token').optional() }).strict(),
} satisfies Record<ChannelKind, z.ZodTypeAny>;

/** A channel's configuration split into what may be shown again and what is sealed. */
export interface ChannelConfig {
  /** Shown on every read: no secrets. */
  shown: Record<string, unknown>;
  /** Sealed at rest, returned only in the create (or replace) answer. */
  secret: Record<string, string> | null;
  /** URLs the channel posts to (each passes the target checks). */
  targets: string[];
}

/**
 * Validates `config` for `kind`. A receiver URL carries its own credential
 * (Slack, Discord and Teams webhooks, an ntfy topic), so URLs are secret and
 * only their host is shown; a webhook channel gets a new `whsec_` signing
 * secret unless it keeps `previous` one.
 */
export function parseChannelConfig(kind: ChannelKind, config: unknown, previousSecret?: Record<string, string> | null): ChannelConfig | { error: string } {
  const parsed = schemas[kind].safeParse(config ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { error: `config${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}` };
  }
  const c = parsed.data as Record<string, string>;
  const host = (u: string) => new URL(u).host;
  switch (kind) {
    case 'email':
      return { shown: { to: c.to }, secret: null, targets: [] };
    case 'pagerduty':
      return { shown: { routing_key_hint: `…${c.routing_key!.slice(-4)}` }, secret: { routing_key: c.routing_key! }, targets: [] };
    case 'webhook':
      return { shown: { host: host(c.url!) }, secret: { url: c.url!, signing_secret: previousSecret?.signing_secret ?? generateWebhookSecret() }, targets: [c.url!] };
    case 'ntfy':
      return { shown: { host: host(c.url!), token: c.token ? 'set' : 'none' }, secret: { url: c.url!, ...(c.token && { token: c.token }) }, targets: [c.url!] };
    default:
      return { shown: { host: host(c.url!) }, secret: { url: c.url! }, targets: [c.url!] };
  }
}
