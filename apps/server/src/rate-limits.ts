import type { RateLimitName, RateLimits, ServiceLogger } from '@minigate/api';
import { parseDatabaseUrl } from '@minigate/db';
import type { Cluster, Redis } from 'ioredis';
import type { Pool } from 'mysql2';
import { RateLimiterMemory, RateLimiterMySQL, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { rateLimitKeyOf } from './client-ip.js';
import type { RateLimit, RateLimitSettings } from './config.js';

export interface RateLimitStores {
  databaseUrl: string;
  /** A mysql2 pool for the MySQL store (login, refresh, logout) when there is no Redis. */
  mysql: Pool | null;
  /** When REDIS_URL or REDIS_CLUSTER_NODES is set: every limit lives there, shared by every instance. */
  redis: Redis | Cluster | null;
  /** REDIS_KEY_PREFIX; MySQL keys carry it too. */
  keyPrefix: string;
}

const memory = (name: RateLimitName, limit: RateLimit) =>
  new RateLimiterMemory({ keyPrefix: `minigate:${name}`, points: limit.points, duration: limit.durationSeconds });

/**
 * The limits on rate-limiter-flexible. Login, refresh and logout (per IP) are
 * shared by every instance: in MySQL (the table our migrations make; the
 * library is told not to create one) or in Redis. The per-account call
 * limit never costs a database transaction: in Redis when there is one,
 * else in memory (per instance, so N instances allow up to N times the
 * limit to a player spread across them). Each store limiter has an
 * in-memory insurance limiter with the same limit: a store outage neither
 * blocks players nor lifts the limits. An IP is counted by the key
 * rateLimitKeyOf gives it: an IPv6 address by its /64.
 */
export function createRateLimits(settings: RateLimitSettings | null, stores: RateLimitStores, logger: ServiceLogger): RateLimits {
  if (!settings) {
    logger.warn({}, 'RATE_LIMITS=off: no rate limit applies (benchmarks and load tests only)');
    return { consume: async () => null };
  }
  const dbName = parseDatabaseUrl(stores.databaseUrl).database;
  const shared = (name: RateLimitName, limit: RateLimit): RateLimiterAbstract => {
    const options = {
      keyPrefix: `${stores.keyPrefix}${name}`,
      points: limit.points,
      duration: limit.durationSeconds,
      insuranceLimiter: memory(name, limit),
    };
    // A Redis Cluster too: a consume is one script on one key (`<keyPrefix>:<key>`), so keys need no hash tag and
    // spread over the masters. A client not ready sends a consume to the insurance at once; one whose master is
    // failing over gets there after ioredis's retries (2-3 s), the cluster client staying ready meanwhile.
    if (stores.redis) return new RateLimiterRedis({ ...options, storeClient: stores.redis, rejectIfRedisNotReady: true });
    if (!stores.mysql) throw new Error('rate limits need a MySQL pool or Redis');
    return new RateLimiterMySQL({ ...options, storeClient: stores.mysql, storeType: 'pool', dbName, tableName: 'rate_limit', tableCreated: true });
  };
  const limiters: Record<RateLimitName, RateLimiterAbstract> = {
    login: shared('login', settings.login),
    refresh: shared('refresh', settings.refresh),
    logout: shared('logout', settings.logout),
    calls: stores.redis ? shared('calls', settings.calls) : memory('calls', settings.calls),
    ranking: stores.redis ? shared('ranking', settings.ranking) : memory('ranking', settings.ranking),
    leaderboard: stores.redis ? shared('leaderboard', settings.leaderboard) : memory('leaderboard', settings.leaderboard),
    consoleLogin: shared('consoleLogin', settings.consoleLogin),
  };

  return {
    async consume(name, key) {
      try {
        await limiters[name].consume(rateLimitKeyOf(key));
        return null;
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return Math.ceil(refusal.msBeforeNext / 1000);
        // Only a store failure without insurance lands here: serve the player.
        logger.warn({ limit: name, error: (refusal as Error).message }, 'rate limit store failed: request allowed');
        return null;
      }
    },
  };
}
