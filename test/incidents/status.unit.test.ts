import { describe, expect, it } from 'vitest';
import { impactOf, worstStatus } from '../../src/incidents/status.js';
import type { ComponentStatus } from '../../src/incidents/table.js';

describe('component statuses', () => {
  it('worst status and impact mapping', () => {
    expect(worstStatus(['operational', 'under_maintenance', 'degraded_performance'])).toBe('degraded_performance');
    expect(worstStatus([])).toBe('operational');
    expect(['operational', 'degraded_performance', 'partial_outage', 'major_outage'].map((s) => impactOf(s as ComponentStatus))).toEqual(['none', 'minor', 'major', 'critical']);
  });
});
