import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/ci-summary-reporter.ts'],
    pool: 'forks',
    // Real databases and real HTTP: generous timeouts, never timed assertions.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
