import type { Kysely } from 'kysely';
import type { Database } from './db/database.js';
import { expectationOwner } from './expectations/index.js';
import { checkOwner } from './heartbeats/index.js';
import type { SourceOwner, SourceOwnerLookup } from './incidents/index.js';

/**
 * Who owns a monitored source (`check:<id>`, `expectation:<id>`), answered by
 * the feature that owns it through its public module. The composition root
 * hands this to incidents, which validates the sources a status page
 * component lists and knows neither heartbeats nor expectations.
 */
export function sourceOwnerLookup(db: Kysely<Database>): SourceOwnerLookup {
  return async (source: string): Promise<SourceOwner> => {
    const colon = source.indexOf(':');
    const kind = source.slice(0, colon);
    const id = source.slice(colon + 1);
    if (colon > 0 && kind === 'check') {
      const owner = await checkOwner(db, id);
      return owner ? { exists: true, tenantId: owner.tenantId } : { exists: false, tenantId: null };
    }
    if (colon > 0 && kind === 'expectation') {
      const owner = await expectationOwner(db, id);
      // An expectation has no tenant of its own: a forEachTenant one speaks for each tenant's part.
      return owner ? { exists: true, tenantId: null, everyTenant: owner.scope === 'forEachTenant' } : { exists: false, tenantId: null };
    }
    return { exists: false, tenantId: null };
  };
}
