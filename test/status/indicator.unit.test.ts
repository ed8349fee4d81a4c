import { describe, expect, it } from 'vitest';
import type { ComponentStatus } from '../../src/incidents/table.js';
import { pageIndicator } from '../../src/status/indicator.js';

describe('page indicator (Statuspage roll-up, raised by unresolved incidents)', () => {
  const cases: [ComponentStatus[], string, string][] = [
    [[], 'none', 'All Systems Operational'],
    [['operational'], 'none', 'All Systems Operational'],
    [['degraded_performance'], 'minor', 'Partially Degraded Service'],
    [['partial_outage'], 'major', 'Partial System Outage'],
    [['major_outage'], 'critical', 'Major System Outage'],
    [['under_maintenance'], 'maintenance', 'Service Under Maintenance'],
    [['major_outage', 'major_outage'], 'critical', 'Major System Outage'],
    [['major_outage', 'operational'], 'major', 'Partial System Outage'],
    [['partial_outage', 'partial_outage'], 'major', 'Partial System Outage'],
    [['partial_outage', 'operational'], 'minor', 'Minor Service Outage'],
    [['degraded_performance', 'degraded_performance'], 'minor', 'Degraded System Service'],
    [['degraded_performance', 'operational'], 'minor', 'Partially Degraded Service'],
    [['under_maintenance', 'operational'], 'maintenance', 'Service Under Maintenance'],
    [['operational', 'operational'], 'none', 'All Systems Operational'],
    [['major_outage', 'partial_outage', 'under_maintenance'], 'major', 'Partial System Outage'],
  ];
  for (const [leaves, indicator, description] of cases) {
    it(`${JSON.stringify(leaves)} → ${indicator}`, () => {
      expect(pageIndicator(leaves, [], false)).toEqual({ indicator, description });
    });
  }

  it('an unresolved incident raises a green page to its impact; an in-progress maintenance lifts none', () => {
    expect(pageIndicator(['operational'], ['major'], false)).toEqual({ indicator: 'major', description: 'Partial System Outage' });
    expect(pageIndicator(['operational', 'operational'], ['critical', 'minor'], false)).toEqual({ indicator: 'critical', description: 'Major System Outage' });
    expect(pageIndicator(['degraded_performance'], ['none'], false).indicator).toBe('minor');
    expect(pageIndicator(['operational'], [], true)).toEqual({ indicator: 'maintenance', description: 'Service Under Maintenance' });
    expect(pageIndicator(['partial_outage'], [], true).indicator).toBe('major');
  });
});
