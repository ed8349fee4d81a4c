import { describe, expect, it } from 'vitest';
import { incidentTitle, publicBody, publishRule, type PublicComponent } from '../../src/incidents/public-text.js';
import { checkSources, signalConcernsPage, type SourceOwner } from '../../src/incidents/source-rules.js';

const c = (name: string, more: Partial<PublicComponent> = {}): PublicComponent => ({ name, incident_template: null, auto_incident: 'publish', publish_after: null, ...more });
const now = new Date('2026-01-01T00:00:00Z');

describe('public text of automatic incidents', () => {
  it('titles come from the components: the default, a template, several names, one line of at most 140 characters', () => {
    expect(incidentTitle([c('API')], 'degraded_performance')).toBe('Degraded performance: API');
    expect(incidentTitle([c('API'), c('Web'), c('Mail')], 'major_outage')).toBe('Major outage: API, Web and Mail');
    expect(incidentTitle([c('Checkout', { incident_template: 'Trouble with {component} ({status})' })], 'partial_outage')).toBe('Trouble with Checkout (Partial outage)');
    const long = incidentTitle([c('x'.repeat(200))], 'partial_outage');
    expect(long.length).toBeLessThanOrEqual(140);
    expect(long.endsWith('…')).toBe(true);
  });

  it('bodies say what the public may know, in sentences', () => {
    expect(publicBody.opened([c('Search')], 'degraded_performance', false)).toBe('We are investigating degraded performance of Search.');
    expect(publicBody.opened([c('Search')], 'major_outage', true)).toBe('We have identified the cause of a major outage of Search and a fix is being applied.');
    expect(publicBody.resolved(3 * 3_600_000 + 5 * 60_000)).toBe('This incident has been resolved. Services were affected for about 3 h 5 min.');
  });

  it('the strictest component decides how it goes public', () => {
    expect(publishRule([c('a'), c('b')], now)).toEqual({ draft: false });
    expect(publishRule([c('a'), c('b', { auto_incident: 'delay', publish_after: 60 }), c('c', { auto_incident: 'delay', publish_after: 300 })], now)).toEqual({ draft: true, publishAt: new Date('2026-01-01T00:05:00Z') });
    expect(publishRule([c('a', { auto_incident: 'delay', publish_after: 60 }), c('b', { auto_incident: 'draft' })], now)).toEqual({ draft: true, publishAt: null });
  });
});

describe('source rules', () => {
  const owners: Record<string, SourceOwner> = {
    'check:mine': { exists: true, tenantId: 't1' },
    'check:theirs': { exists: true, tenantId: 't2' },
    'check:platform': { exists: true, tenantId: null },
    'expectation:every': { exists: true, tenantId: null, everyTenant: true },
    'expectation:whole': { exists: true, tenantId: null },
  };
  const lookup = async (s: string) => owners[s] ?? { exists: false, tenantId: null };
  const tenant = { actor: { admin: false, tenantId: 't1' }, pageTenantId: 't1', isGroup: false };
  const admin = { actor: { admin: true, tenantId: null }, pageTenantId: null, isGroup: false };

  it('a tenant lists its own checks and every-tenant expectations; nothing else', async () => {
    await expect(checkSources(['check:mine', 'expectation:every'], tenant, lookup)).resolves.toBeUndefined();
    for (const s of ['check:theirs', 'check:platform', 'expectation:whole', 'check:none']) await expect(checkSources([s], tenant, lookup), s).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(checkSources(['check:mine'], { ...tenant, isGroup: true }, lookup)).rejects.toThrow(/group/);
    await expect(checkSources([], { ...tenant, isGroup: true }, lookup)).resolves.toBeUndefined();
  });

  it('the admin key lists anything that exists, but a tenant check only on its own tenant’s page or a platform page', async () => {
    await expect(checkSources(['check:platform', 'expectation:whole', 'check:theirs'], admin, lookup)).resolves.toBeUndefined();
    await expect(checkSources(['check:theirs'], { ...admin, pageTenantId: 't1' }, lookup)).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(checkSources(['check:none'], admin, lookup)).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('a signal concerns a tenant page when it is the tenant’s, the platform’s own, or names the tenant', () => {
    expect(signalConcernsPage({ tenant_id: 't1', evidence: {} }, 't1')).toBe(true);
    expect(signalConcernsPage({ tenant_id: 't2', evidence: {} }, 't1')).toBe(false);
    expect(signalConcernsPage({ tenant_id: null, evidence: {} }, 't1')).toBe(true);
    expect(signalConcernsPage({ tenant_id: null, evidence: { tenants: [{ id: 't2' }] } }, 't1')).toBe(false);
    expect(signalConcernsPage({ tenant_id: null, evidence: { tenants: [{ id: 't2' }, { id: 't1' }] } }, 't1')).toBe(true);
    expect(signalConcernsPage({ tenant_id: 't2', evidence: null }, null)).toBe(true);
  });
});
