import { defineConfig } from 'vitest/config';

import './functions/local/runtime-shims';

export default defineConfig({
  test: {
    setupFiles: ['functions/local/runtime-shims.ts'],
    include: ['test/**/*.test.ts', 'functions/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
