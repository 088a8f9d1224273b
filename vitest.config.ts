import { defineConfig } from 'vitest/config';

// The main process (global setup) creates SDK clients too; the workers load the shims below.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export default defineConfig({
  test: {
    setupFiles: ['dev/local/runtime-shims.ts'],
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
