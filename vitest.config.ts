import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    // The reliability suite's slow part (*.slow.test.ts: the soak, ...) runs in pnpm test:reliability only,
    // the cluster suite (test/cluster: Galera, Redis Cluster) in pnpm test:cluster only.
    exclude: [...configDefaults.exclude, '**/*.slow.test.ts', 'test/cluster/**'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
