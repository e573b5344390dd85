import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // bin/sss-tool.js runs lib/bundle/: rebuilt from lib/ before the tests (scripts/bundle-cli.js).
    // Then one directory per run for fixtures that several test files share (test/support/genesis.ts).
    globalSetup: ['scripts/bundle-cli.js', 'test/support/global-setup.ts'],
    env: {
      // age's scrypt work factor is lowered for tests only (see src/local/keystore.ts).
      SSS_TOOL_SCRYPT_LOG_N: '10',
    },
  },
});
