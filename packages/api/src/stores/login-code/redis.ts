import { redisCall, type RedisClient } from '../redis-client.js';
import type { CachedLoginCode, LoginCodeCache } from './login-code-cache.js';

/**
 * Remembered login codes in Redis: `<prefix>wechat:login_code:<hash>`,
 * expiring by themselves. One key a command, no hash tag: in a Redis
 * Cluster the codes spread over every master.
 */
export function createRedisLoginCodeCache(redis: RedisClient, keyPrefix: string): LoginCodeCache {
  const key = (hash: string) => `${keyPrefix}wechat:login_code:${hash}`;
  return {
    async get(codeHash) {
      const value = await redisCall(() => redis.get(key(codeHash)));
      return value ? (JSON.parse(value) as CachedLoginCode) : null;
    },
    async put(codeHash, entry, ttlSeconds) {
      // NX: the first outcome of a code stays.
      await redisCall(() => redis.set(key(codeHash), JSON.stringify(entry), 'EX', ttlSeconds, 'NX'));
    },
  };
}
