import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One directory per run for fixtures that several test files share (test/support/genesis.ts).
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: {
      // age's scrypt work factor is lowered for tests only (see src/local/keystore.ts).
      SSS_TOOL_SCRYPT_LOG_N: '10',
    },
  },
});
