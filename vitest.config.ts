import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The run methods of the config classes, as the package entry installs them.
    setupFiles: ['src/run-methods.ts'],
  },
});
