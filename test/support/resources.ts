import { afterEach } from 'vitest';
import { testDatabase, type TestDatabase } from './db.js';

/**
 * Databases and service instances made by one test, released after it:
 * instances stop first (in the order tracked), then the databases close.
 */
export function perTestResources() {
  const dbs: TestDatabase[] = [];
  const stoppables: { stop(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const s of stoppables.splice(0)) await s.stop();
    for (const d of dbs.splice(0)) await d.close();
  });
  return {
    async database(opts?: Parameters<typeof testDatabase>[0]): Promise<TestDatabase> {
      const d = await testDatabase(opts);
      dbs.push(d);
      return d;
    },
    track<T extends { stop(): Promise<void> }>(s: T): T {
      stoppables.push(s);
      return s;
    },
  };
}
