import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { accessTokenKeys, createRedisAccessTokenStore } from './access-token/redis.js';
import { createRedisLoginCodeCache } from './login-code/redis.js';

/** What a Redis Cluster hashes: the text between the first { and the next }, when not empty; else the whole key. */
function hashedPart(key: string): string {
  const open = key.indexOf('{');
  const close = open >= 0 ? key.indexOf('}', open + 1) : -1;
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('accessTokenKeys', () => {
  it('puts the token and its lock in one cluster slot (the appid as hash tag), under the prefix', () => {
    const keys = accessTokenKeys('minigate:wx0123456789abcdef:', 'wx0123456789abcdef');
    expect(keys).toEqual({
      token: 'minigate:wx0123456789abcdef:wechat:access_token:{wx0123456789abcdef}',
      lock: 'minigate:wx0123456789abcdef:wechat:access_token_lock:{wx0123456789abcdef}',
    });
    expect(hashedPart(keys.token)).toBe('wx0123456789abcdef');
    expect(hashedPart(keys.lock)).toBe(hashedPart(keys.token));
  });
});

// On the shared single Redis (127.0.0.1:6379), under a prefix of this run's own: a single Redis ignores the hash tag.
describe('the Redis stores on a single Redis', () => {
  const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  const prefix = `minigate-unit-${randomBytes(4).toString('hex')}:`;
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('writes, reads and invalidates the access token, and takes its lock one at a time', async () => {
    const store = createRedisAccessTokenStore(redis, prefix);
    expect(await store.read('wxunit')).toBeNull();
    await store.write('wxunit', { token: 'sealed-1', expiresAt: 2_000, forceRefreshedAt: null });
    expect(await store.read('wxunit')).toEqual({ token: 'sealed-1', expiresAt: 2_000, forceRefreshedAt: null });
    expect(await redis.exists(accessTokenKeys(prefix, 'wxunit').token)).toBe(1);
    expect(await store.compareAndInvalidate('wxunit', 'another')).toBe(false);
    expect(await store.compareAndInvalidate('wxunit', 'sealed-1')).toBe(true);
    expect(await store.read('wxunit')).toMatchObject({ token: 'sealed-1', expiresAt: 0 });

    const order: string[] = [];
    await Promise.all(
      ['a', 'b'].map((name) =>
        store.withLock('wxunit', async () => {
          order.push(`${name} in`);
          await new Promise((resolve) => setTimeout(resolve, 100));
          order.push(`${name} out`);
        }),
      ),
    );
    expect([order[0]!.slice(2), order[1]!.slice(2)]).toEqual(['in', 'out']);
    expect(await redis.exists(accessTokenKeys(prefix, 'wxunit').lock)).toBe(0);
  });

  it('remembers a login code once (the first outcome stays), expiring by itself', async () => {
    const cache = createRedisLoginCodeCache(redis, prefix);
    await cache.put('hash1', { outcome: 'failed', failure: 'busy', answeredAt: 1 }, 60);
    await cache.put('hash1', { outcome: 'failed', failure: 'timeout', answeredAt: 2 }, 60);
    expect(await cache.get('hash1')).toEqual({ outcome: 'failed', failure: 'busy', answeredAt: 1 });
    expect(await redis.ttl(`${prefix}wechat:login_code:hash1`)).toBeGreaterThan(0);
    expect(await cache.get('hash2')).toBeNull();
  });
});
