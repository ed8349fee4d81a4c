import { sql } from 'kysely';
import { defineExpectation } from '../src/expectations/define.js';

// Every tenant's invoice-run job reports to its own heartbeat; none of them may be down.
export default defineExpectation({
  id: 'billing-jobs-healthy',
  title: 'Invoice-run jobs are running',
  component: 'billing',
  scope: 'forEachTenant',
  severity: 'major',
  kind: 'invariant',
  unit: 'invoice-run jobs down',
  failing: () => sql`
    select j.tenant_id, j.key as job, c.last_ping, c.alert_after as since
    from jobs j join checks c on c.id = j.check_id
    where j.key like 'billing.invoice-run:%' and c.status = 'down'`,
});
