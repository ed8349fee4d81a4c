/**
 * Which alert channels hear a check: a port heartbeats defines and alerting
 * implements (wired at the composition root), so heartbeats knows no channel
 * table. Owners are a tenant, or the platform (null).
 */
export interface ChannelRouting {
  /** healthchecks' `channels` value ("*", "", or comma-separated ids) → the owner's channel ids, or why not. */
  resolve(owner: { tenantId: string | null }, spec: string): Promise<string[] | { error: string }>;
  /** Routes a source to exactly these channels. */
  route(source: string, owner: { tenantId: string | null }, ids: string[]): Promise<void>;
  /** The channels each source alerts now (its routing, or the owner's defaults when it has none). */
  effective(owner: { tenantId: string | null }, sources: string[]): Promise<Map<string, string[]>>;
  /** The owner's channels, for v3 `GET /channels/`. */
  catalog(owner: { tenantId: string | null }): Promise<{ id: string; name: string; kind: string }[]>;
}

export const checkSource = (id: string) => `check:${id}`;
