import { createHmac, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { ensureServiceSecret } from '../db/service-state.js';
import { ensureBadgeId, findBadgeOwner, ownerChecks, ownerTags } from './badge-store.js';
import { ALL_CHECKS_LABEL, badgeCounts, badgeUrls, renderBadge, signatureMatches, type BadgeRequest } from './badges.js';

export interface Badges {
  /**
   * The owner's badges, as healthchecks' `GET /api/v3/badges/` lists them:
   * per tag, and `*` for all checks, each in six forms. The owner's badge id
   * is made on first use.
   */
  list(tenantId: string | null): Promise<Record<string, Record<string, string>>>;
  /**
   * One public badge document, or undefined when the URL is not one this
   * service signed (unknown id, wrong signature, another owner's tag): the
   * caller answers 404 without saying which. It shows the tag the URL names
   * and aggregate counts, never a check's name.
   */
  render(req: BadgeRequest): Promise<{ body: string; contentType: string } | undefined>;
}

export function createBadges(deps: { db: Kysely<Database>; clock: Clock; publicUrl: string; secretKey: string | undefined }): Badges {
  const { db, clock } = deps;
  let secret: Buffer | undefined;
  /**
   * The key that signs badge URLs: derived from SECRET_KEY when it is set (then
   * the database holds nothing that forges a badge URL); otherwise generated
   * once and kept in service_state, as the secret box does.
   */
  const badgeSecret = async (): Promise<Buffer> => {
    if (secret) return secret;
    const material = deps.secretKey ?? (await ensureServiceSecret(db, 'heartbeats.badge_secret', randomBytes(32).toString('base64')));
    secret = createHmac('sha256', material).update('overdue badge signing v1').digest();
    return secret;
  };
  return {
    async list(tenantId) {
      const key = await badgeSecret();
      const badgeId = await ensureBadgeId(db, tenantId, randomBytes(12).toString('base64url'), clock.now());
      const badges: Record<string, Record<string, string>> = {};
      for (const tag of await ownerTags(db, tenantId)) badges[tag] = badgeUrls(deps.publicUrl, key, badgeId, tag);
      badges['*'] = badgeUrls(deps.publicUrl, key, badgeId, null);
      return badges;
    },
    async render(req) {
      if (!signatureMatches(await badgeSecret(), req.badgeId, req.tag, req.signature)) return undefined;
      const owner = await findBadgeOwner(db, req.badgeId);
      if (!owner) return undefined;
      const rows = await ownerChecks(db, owner.tenantId, req.tag);
      return renderBadge(req.format, req.tag ?? ALL_CHECKS_LABEL, badgeCounts(rows, clock.now()), req.states);
    },
  };
}
