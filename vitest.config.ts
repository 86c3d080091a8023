import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/yield-between-tests.ts'],
    // The machine has two cores; CLI tests spawn processes of their own.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2 } },
    testTimeout: 30_000,
  },
});
