import { defineConfig } from 'vitest/config';

// pnpm test:cluster: minigate on a real MariaDB Galera cluster (3 nodes) and a real Redis Cluster (3 masters,
// each with a replica), started by the suite itself on loopback ports of their own (test/cluster/support).
// Where galera-4 or redis-server is missing, the suite fails saying what to install; it never skips.
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    // The Redis Cluster file keeps its accounts on the shared MariaDB.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // One cluster at a time: each file starts its own on fixed ports, and the machine is small.
    fileParallelism: false,
  },
});
