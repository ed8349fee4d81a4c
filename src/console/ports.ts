import type { Scope } from '../heartbeats/index.js';
import type { SourceOwner } from '../incidents/index.js';

/** A monitored source a status page component may list, by name. */
export interface SourceChoice {
  /** `check:<uuid>` or `expectation:<id>`. */
  source: string;
  kind: 'check' | 'expectation';
  /** The check's name or the expectation's title. */
  label: string;
  /** Where the console shows it. */
  href: string;
  owner: SourceOwner;
}

/**
 * The sources a viewer's scope can see (the tenant's checks and every
 * expectation; all checks for the admin key), for the component picker and to
 * name the sources a component lists. The composition root builds it from
 * heartbeats and expectations; the console knows neither store.
 */
export interface SourceChoices {
  /**
   * What the picker offers for a page of `pageTenantId`: the first `limit`
   * checks by name (containing `q` when given; `more` when others were left
   * out) and every expectation that is not archived (few: they are code).
   */
  find(scope: Scope, filter: { q?: string | undefined; pageTenantId: string | null; limit: number }): Promise<{ choices: SourceChoice[]; more: boolean }>;
  /** These sources by name, as far as the scope sees them (a component's list, a form's ticks). */
  named(scope: Scope, sources: string[]): Promise<SourceChoice[]>;
}

/** Per alert channel of an owner: how many checks alert it and the first `shown` of them by name. */
export type ChannelUsers = (owner: { tenantId: string | null }, shown: number) => Promise<Map<string, { total: number; first: { id: string; name: string }[] }>>;

/** Active subscribers per page id (pages without any are absent). */
export type SubscriberCounts = (pageIds: string[]) => Promise<Map<string, number>>;
