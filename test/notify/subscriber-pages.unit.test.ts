import { describe, expect, it } from 'vitest';
import { choicesOf } from '../../src/notify/subscriber-pages.js';
import type { ComponentRow } from '../../src/incidents/index.js';

const row = (id: string, extra: Partial<ComponentRow> = {}): ComponentRow =>
  ({ id, page_id: 'p', name: id, description: null, is_group: false, group_id: null, position: 0, only_show_if_degraded: false, showcase: true, status: 'operational', start_date: null, auto_incident: 'publish', publish_after: null, incident_template: null, created_at: new Date(0), updated_at: new Date(0), ...extra }) as ComponentRow;

describe('the manage form choices', () => {
  const components = [row('platform', { is_group: true }), row('api', { group_id: 'platform' }), row('web', { group_id: 'platform' }), row('mail')];

  it('lists members under their group, never the group itself, ticking what was chosen', () => {
    expect(choicesOf(components, ['web'])).toEqual([
      { id: 'api', name: 'api', group: 'platform', checked: false },
      { id: 'web', name: 'web', group: 'platform', checked: true },
      { id: 'mail', name: 'mail', group: null, checked: false },
    ]);
  });

  it('a subscription to a group (taken by the API) ticks its members, so saving the form keeps them', () => {
    expect(choicesOf(components, ['platform']).filter((c) => c.checked).map((c) => c.id)).toEqual(['api', 'web']);
  });
});
