import { createApi, type Api, type ServiceLogger } from '@minigate/api';
import { createDatabase, type Database, type Kysely } from '@minigate/db';
import { createMysqlPool } from '@minigate/db/mysql-pool';
import { Cluster, Redis } from 'ioredis';
import { createHttpTransport, createResilientTransport, type ResilienceEvent } from '@minigate/wechat';
import type { Config } from './config.js';
import { createRateLimits } from './rate-limits.js';
import { createWeChatCallTimer, type WeChatCallTimer } from './wechat-calls.js';

/** A single Redis (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES). */
export type RedisClient = Redis | Cluster;

/** Everything the HTTP layer serves, built once from the configuration. */
export interface Application {
  createContext: Api['createContext'];
  /** Each game's message-push receiver (/push/<appid>). */
  pushes: Api['pushes'];
  /** What operators do through WeChat (pnpm admin present, cancel-spend). */
  operator: Api['operator'];
  /** The operator console's API (served at /console/api when CONSOLE_ENABLED). */
  console: Api['console'];
  db: Kysely<Database>;
  /** Reads the database's change feed into the revocation cache and the account-view cache. */
  changeFeed: Api['changeFeed'];
  /** The in-memory caches (account.me answers, revocations), for /metrics. */
  cacheStats: Api['cacheStats'];
  /** Every call to WeChat, timed (for /metrics). */
  wechatCalls: Pick<WeChatCallTimer, 'listen'>;
  /** Loads the revocation window and starts the background work: the feed poll, session pruning, the offline sweep. */
  start(): Promise<void>;
  /**
   * Stops the background work, waits (up to `graceMs`) for every procedure
   * that started to end, even those whose client hung up, then releases the
   * database pools, Redis and WeChat's kept-alive sockets.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * The Redis client of REDIS_URL or REDIS_CLUSTER_NODES, or null without
 * either. No offline queue: while Redis is away, limits fall to the
 * in-memory insurance at once. A cluster is found from its seeds and
 * reached at the addresses its nodes announce (CLUSTER SLOTS), as they
 * are: no NAT mapping, so those addresses must be reachable from here.
 * While a master fails over, a command for its slots is retried every
 * 100 ms (re-reading the slots) up to 16 times, then fails (2-3 s): the
 * insurance limiter counts it, a login-code lookup goes to WeChat, and
 * an access-token read answers SHARED_STORE_UNAVAILABLE. The rest of the
 * cluster serves on.
 */
export function createRedisClient(config: Pick<Config, 'redisUrl' | 'redisClusterNodes'>, logger: ServiceLogger): RedisClient | null {
  const unreachable = 'Redis unreachable: rate limits use the in-memory insurance';
  if (config.redisClusterNodes) {
    const cluster = new Cluster(config.redisClusterNodes, {
      enableOfflineQueue: false,
      // Each node's connection: one retry of a command, 2 s to connect (enableOfflineQueue and retryStrategy are the cluster's).
      redisOptions: { maxRetriesPerRequest: 1, connectTimeout: 2_000 },
      slotsRefreshTimeout: 2_000,
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      maxRedirections: 16,
    });
    cluster.on('error', (error: Error) => logger.warn({ error: error.message }, unreachable));
    cluster.on('node error', (error: Error, node: string) => logger.warn({ error: error.message, node }, 'Redis Cluster node unreachable'));
    return cluster;
  }
  if (!config.redisUrl) return null;
  const redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  redis.on('error', (error: Error) => logger.warn({ error: error.message }, unreachable));
  return redis;
}

/**
 * The infrastructure (the database, Redis, the rate limits' stores, the
 * transport to WeChat) made from the configuration, and the API built on it.
 */
export function wireApplication(config: Config, logger: ServiceLogger): Application {
  const db = createDatabase(config.databaseUrl);
  // rate-limiter-flexible takes a mysql2 pool of its own (a few connections: login and refresh only).
  const rateLimitPool =
    config.rateLimits && !config.redisUrl && !config.redisClusterNodes ? createMysqlPool(config.databaseUrl, { connectionLimit: 4 }) : null;
  // Rate limits, the WeChat access token and the remembered login codes, when REDIS_URL or REDIS_CLUSTER_NODES is set.
  const redis = createRedisClient(config, logger);
  const rateLimits = createRateLimits(
    config.rateLimits,
    { databaseUrl: config.databaseUrl, mysql: rateLimitPool, redis, keyPrefix: config.redisKeyPrefix },
    logger,
  );
  const wechatCalls = createWeChatCallTimer();
  const wechatTransport = wechatCalls.instrument(createHttpTransport({ timeoutMs: config.wechat.timeoutMs }));
  // Douyin's and QQ's calls, timed into the same metrics (by endpoint).
  const platformTransport = wechatCalls.instrument(createHttpTransport({ timeoutMs: config.platformTimeoutMs }));
  // Backup domains for connections never made, and a breaker that stops piling calls onto an unreachable WeChat.
  const wechatSend = createResilientTransport(wechatTransport.send, {
    primaryBase: config.wechat.apiBase,
    backupBases: config.wechat.backupBases,
    breaker: { failureThreshold: config.wechat.circuit.failureThreshold, openMs: config.wechat.circuit.openSeconds * 1000 },
    onEvent: (event: ResilienceEvent) =>
      event.kind === 'circuit-closed' ? logger.info({}, 'WeChat answers again: circuit closed') : logger.warn({ ...event }, `WeChat: ${event.kind}`),
  }).send;
  const api = createApi({
    db,
    apps: { list: config.apps, wechatTransport: wechatSend, transport: platformTransport.send },
    stores: { redis, redisKeyPrefix: config.redisKeyPrefix, rateLimits },
    settings: config,
    logger,
  });

  return {
    createContext: api.createContext,
    pushes: api.pushes,
    operator: api.operator,
    console: api.console,
    db,
    changeFeed: api.changeFeed,
    cacheStats: api.cacheStats,
    wechatCalls,
    async start() {
      // Until Redis is ready, limits count in the insurance limiter: wait a
      // little for it, so counts are not split between the two after a start.
      if (redis && redis.status !== 'ready') {
        const ready = await Promise.race([
          new Promise<boolean>((resolve) => redis.once('ready', () => resolve(true))),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2_000).unref()),
        ]);
        if (!ready) logger.warn({}, 'Redis not ready after 2 s: rate limits count in memory until it is');
      }
      await api.start();
    },
    async close(graceMs = 10_000) {
      api.stop();
      let timeout: ReturnType<typeof setTimeout> | undefined;
      const graceOver = new Promise<void>((resolve) => {
        timeout = setTimeout(() => {
          logger.warn({ graceMs }, 'procedures still running after the grace period: closing anyway');
          resolve();
        }, graceMs);
      });
      await Promise.race([api.idle(), graceOver]);
      clearTimeout(timeout);
      wechatTransport.close();
      platformTransport.close();
      redis?.disconnect();
      await Promise.all([db.destroy(), new Promise<void>((resolve) => (rateLimitPool ? rateLimitPool.end(() => resolve()) : resolve()))]);
    },
  };
}
