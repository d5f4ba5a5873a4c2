import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedisClient } from './wiring.js';

const quiet = { error: () => {}, warn: () => {}, info: () => {} };

describe('createRedisClient', () => {
  it('makes no client without REDIS_URL or REDIS_CLUSTER_NODES', () => {
    expect(createRedisClient({ redisUrl: null, redisClusterNodes: null }, quiet)).toBeNull();
  });

  it('makes a single-node client of REDIS_URL, without an offline queue', () => {
    const redis = createRedisClient({ redisUrl: 'redis://127.0.0.1:6379', redisClusterNodes: null }, quiet);
    try {
      expect(redis).toBeInstanceOf(Redis);
      expect((redis as Redis).options).toMatchObject({ enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
    } finally {
      redis?.disconnect();
    }
  });

  it('makes a cluster client of REDIS_CLUSTER_NODES, without an offline queue, and logs what it cannot reach', async () => {
    const warnings: string[] = [];
    // Nothing listens on port 1: the seed is refused.
    const redis = createRedisClient(
      { redisUrl: null, redisClusterNodes: [{ host: '127.0.0.1', port: 1 }] },
      { ...quiet, warn: (_details, message) => void warnings.push(message) },
    );
    try {
      expect(redis).toBeInstanceOf(Cluster);
      const cluster = redis as Cluster;
      expect(cluster.options).toMatchObject({ enableOfflineQueue: false, redisOptions: { maxRetriesPerRequest: 1, connectTimeout: 2_000 } });
      await expect(cluster.get('a-key')).rejects.toThrow(/enableOfflineQueue/);
      await expect.poll(() => warnings.length).toBeGreaterThan(0);
      expect(warnings).toContain('Redis unreachable: rate limits use the in-memory insurance');
    } finally {
      redis?.disconnect();
    }
  });
});
