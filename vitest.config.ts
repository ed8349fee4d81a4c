import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Database tests run once per backend: always on embedded PGlite, and also on
// real Postgres when TEST_DATABASE_URL is set. `*.unit.test.ts` files need no
// database and run once.
const backends = ['pglite', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];

export default defineConfig({
  test: {
    // One worker per core. Vitest's default for a run is cores - 1, which on a 2-core machine
    // runs every file one after another; each file has its own database, so files never share
    // state and can run side by side. VITEST_MAX_WORKERS overrides.
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS) || Math.max(2, availableParallelism()),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.unit.test.ts'] } },
      ...backends.map((backend) => ({
        extends: true as const,
        test: {
          name: backend,
          // A worker runs its files in one module graph instead of importing src/ afresh for each file
          // (features keep no module-level state; each file builds its own Overdue and database).
          // Unit files stay isolated: they mock modules and timers. VITEST_ISOLATE=1 isolates all.
          isolate: process.env.VITEST_ISOLATE === '1',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.unit.test.ts', 'test/bench/**'],
          env: { OVERDUE_TEST_BACKEND: backend },
          globalSetup: [`test/support/setup-${backend}.ts`],
        },
      })),
    ],
  },
});
