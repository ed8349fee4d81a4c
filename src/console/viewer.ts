import type { Viewer } from '../../console-ui/view.js';
import type { ConsoleSession } from './sessions.js';

/** Who the pages are rendered for: what the header says, whether buttons show, the form token. */
export const viewerOf = (s: ConsoleSession): Viewer => ({
  label: `${s.kind === 'admin' ? 'the admin key' : 'a tenant key'}${s.readOnly ? ' (read-only)' : ''}`,
  readOnly: s.readOnly,
  admin: s.kind === 'admin',
  csrf: s.csrf,
});
