import { defineConfig } from 'vitest/config';

// pnpm test:reliability: the whole reliability suite, its slow part (the soak,
// *.slow.test.ts, which pnpm test leaves out) included. SOAK_SECONDS sets the
// soak's length (600 by default).
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
