import type { Database, Kysely } from '@minigate/db';
import type { AccessTokenStore } from '@minigate/wechat';
import type { AtRestCipher } from '../at-rest-cipher.js';
import { encryptedAccessTokenStore } from './access-token/encrypted.js';
import { createDatabaseAccessTokenStore } from './access-token/mysql.js';
import { createRedisAccessTokenStore } from './access-token/redis.js';
import type { LoginCodeCache } from './login-code/login-code-cache.js';
import { createDatabaseLoginCodeCache } from './login-code/mysql.js';
import { createRedisLoginCodeCache } from './login-code/redis.js';
import type { RedisClient } from './redis-client.js';

export type { RedisClient };

/**
 * The stores shared by every instance: in Redis when there is one, else in
 * MySQL. The access token is encrypted at rest in either, refreshed
 * single-flight under the store's lock.
 */
export function createStores(options: {
  db: Kysely<Database>;
  cipher: AtRestCipher;
  redis: RedisClient | null;
  redisKeyPrefix: string;
  now?: () => number;
}): { accessTokens: AccessTokenStore; loginCodes: LoginCodeCache } {
  const { db, redis, redisKeyPrefix } = options;
  return {
    accessTokens: encryptedAccessTokenStore(
      redis ? createRedisAccessTokenStore(redis, redisKeyPrefix) : createDatabaseAccessTokenStore(db),
      options.cipher,
    ),
    loginCodes: redis ? createRedisLoginCodeCache(redis, redisKeyPrefix) : createDatabaseLoginCodeCache(db, options.now),
  };
}
