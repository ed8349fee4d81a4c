import type { Viewer } from '../../console-ui/view.js';
import type { Scope } from '../heartbeats/index.js';
import type { ConsoleSession } from './sessions.js';

/** Who the pages are rendered for: what the header says, whether buttons show, the form token. */
export const viewerOf = (s: ConsoleSession): Viewer => ({
  label: `${s.kind === 'admin' ? 'the admin key' : 'a tenant key'}${s.readOnly ? ' (read-only)' : ''}`,
  readOnly: s.readOnly,
  admin: s.kind === 'admin',
  csrf: s.csrf,
});

/** A path or form id: anything else is a 404 (or a refusal) before any query. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The session's scope over checks, as heartbeats' management takes it. */
export const scopeOf = (s: ConsoleSession): Scope => ({ admin: s.kind === 'admin', tenantId: s.tenantId });
