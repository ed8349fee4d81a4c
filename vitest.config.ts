import { defineConfig } from 'vitest/config';

// Database tests run once per backend: always on embedded PGlite, and also on
// real Postgres when TEST_DATABASE_URL is set. `*.unit.test.ts` files need no
// database and run once.
const backends = ['pglite', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.unit.test.ts'] } },
      ...backends.map((backend) => ({
        extends: true as const,
        test: {
          name: backend,
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.unit.test.ts', 'test/bench/**'],
          env: { OVERDUE_TEST_BACKEND: backend },
          globalSetup: [`test/support/setup-${backend}.ts`],
        },
      })),
    ],
  },
});
