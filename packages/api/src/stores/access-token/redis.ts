import { randomBytes } from 'node:crypto';
import type { AccessTokenStore, StoredAccessToken } from '@minigate/wechat';
import { redisCall, type RedisClient } from '../redis-client.js';

/** How long a lock may be held (one or two stable_token calls, each bounded by WECHAT_TIMEOUT_MS) and how long to wait for it. */
const LOCK_LEASE_MS = 30_000;
const LOCK_WAIT_MS = 10_000;
const LOCK_POLL_MS = 50;

/** Sets expires_at to 0 only while the stored token is the one that failed. */
const COMPARE_AND_INVALIDATE = `
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'expiresAt', '0')
  return 1
end
return 0`;

/** Deletes the lock only while it is still ours (its lease may have run out and another instance taken it). */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

export class RedisLockTimeoutError extends Error {
  override name = 'RedisLockTimeoutError';
}

/**
 * The keys of an appid's access token: its hash and its refresh lock. The
 * appid is their hash tag (`{<appid>}`), so that both sit in one slot of a
 * Redis Cluster, on one master: a script or a MULTI may name both, and a
 * failover takes or spares them together. A single Redis ignores the braces.
 */
export function accessTokenKeys(keyPrefix: string, appid: string): { token: string; lock: string } {
  return { token: `${keyPrefix}wechat:access_token:{${appid}}`, lock: `${keyPrefix}wechat:access_token_lock:{${appid}}` };
}

/**
 * The WeChat access token in Redis (REDIS_URL or REDIS_CLUSTER_NODES), one
 * hash per appid under REDIS_KEY_PREFIX: `<prefix>wechat:access_token:{<appid>}`,
 * and its refresh lock `<prefix>wechat:access_token_lock:{<appid>}` (SET NX
 * PX with a random value, released by compare-and-delete). Every command
 * and script names one key.
 */
export function createRedisAccessTokenStore(redis: RedisClient, keyPrefix: string): AccessTokenStore {
  const tokenKey = (appid: string) => accessTokenKeys(keyPrefix, appid).token;
  const lockKey = (appid: string) => accessTokenKeys(keyPrefix, appid).lock;
  return {
    async read(appid) {
      const hash = await redisCall(() => redis.hgetall(tokenKey(appid)));
      if (!hash.token) return null;
      const forced = hash.forceRefreshedAt;
      return { token: hash.token, expiresAt: Number(hash.expiresAt ?? 0), forceRefreshedAt: forced ? Number(forced) : null };
    },
    async write(appid, record: StoredAccessToken) {
      const key = tokenKey(appid);
      await redisCall(() =>
        redis
          .multi()
          .del(key)
          .hset(key, {
            token: record.token,
            expiresAt: String(record.expiresAt),
            ...(record.forceRefreshedAt === null ? {} : { forceRefreshedAt: String(record.forceRefreshedAt) }),
          })
          .exec(),
      );
    },
    async compareAndInvalidate(appid, token) {
      return Number(await redisCall(() => redis.eval(COMPARE_AND_INVALIDATE, 1, tokenKey(appid), token))) === 1;
    },
    async withLock(appid, work) {
      const key = lockKey(appid);
      const owner = randomBytes(16).toString('hex');
      const giveUpAt = Date.now() + LOCK_WAIT_MS;
      while ((await redisCall(() => redis.set(key, owner, 'PX', LOCK_LEASE_MS, 'NX'))) !== 'OK') {
        if (Date.now() >= giveUpAt) throw new RedisLockTimeoutError(`could not take ${key} within ${LOCK_WAIT_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
      }
      try {
        return await work();
      } finally {
        await redisCall(() => redis.eval(RELEASE, 1, key, owner));
      }
    },
  };
}
