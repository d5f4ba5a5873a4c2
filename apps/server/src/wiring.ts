import {
  createAccessTokens,
  createAccountService,
  createContextFactory,
  createProcedureRuntime,
  createLoginService,
  createChangeFeed,
  createRevocationCache,
  createAccountViewCache,
  createSessionGuard,
  createAtRestCipher,
  createSessionService,
  createRedisAccessTokenStore,
  createRedisLoginCodeCache,
  createContentGuard,
  createDatabaseAccessTokenStore,
  createDatabaseLoginCodeCache,
  createRankingService,
  createSessionKeys,
  createWeChatAccountService,
  encryptedAccessTokenStore,
  openidAuthType,
  type AccountViewCache,
  type ChangeFeed,
  type RedisClient,
  type RevocationCache,
  type ServiceLogger,
} from '@minigate/api';
import { createDatabase, type Database, type Kysely } from '@minigate/db';
import { createMysqlPool } from '@minigate/db/mysql-pool';
import { Cluster, Redis } from 'ioredis';
import { createCode2Session, createHttpTransport, createResilientTransport, createWeChatApi, type ResilienceEvent } from '@minigate/wechat';
import type { Config } from './config.js';
import { createRateLimits } from './rate-limits.js';
import { createWeChatCallTimer, type WeChatCallTimer } from './wechat-calls.js';

/** Everything the HTTP layer serves, built once from the configuration. */
export interface Application {
  createContext: ReturnType<typeof createContextFactory>;
  db: Kysely<Database>;
  revocations: RevocationCache;
  /** Reads the database's change feed into the revocation cache and the account-view cache. */
  changeFeed: ChangeFeed;
  /** account.me answers held in memory. */
  views: AccountViewCache;
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

export function wireApplication(config: Config, logger: ServiceLogger): Application {
  const db = createDatabase(config.databaseUrl);
  const runtime = createProcedureRuntime(logger);
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
  // One mini-game is served today: the first (and only) of the configured apps.
  const [app] = config.wechat.apps;
  const wechatCalls = createWeChatCallTimer();
  const wechatTransport = wechatCalls.instrument(createHttpTransport({ timeoutMs: config.wechat.timeoutMs }));
  // Backup domains for connections never made, and a breaker that stops piling calls onto an unreachable WeChat.
  const wechatSend = createResilientTransport(wechatTransport.send, {
    primaryBase: app.apiBase,
    backupBases: config.wechat.backupBases,
    breaker: { failureThreshold: config.wechat.circuit.failureThreshold, openMs: config.wechat.circuit.openSeconds * 1000 },
    onEvent: (event: ResilienceEvent) =>
      event.kind === 'circuit-closed' ? logger.info({}, 'WeChat answers again: circuit closed') : logger.warn({ ...event }, `WeChat: ${event.kind}`),
  }).send;
  const cipher = createAtRestCipher(config.encryption.key, config.encryption.previousKeys);
  const wechat = createWeChatApi({
    app,
    transport: wechatSend,
    // Shared by every instance, encrypted at rest, refreshed single-flight under the store's lock.
    tokenStore: encryptedAccessTokenStore(
      redis ? createRedisAccessTokenStore(redis, config.redisKeyPrefix) : createDatabaseAccessTokenStore(db),
      cipher,
    ),
  });
  const accessTokens = createAccessTokens({
    secret: config.jwt.secret,
    previousSecrets: config.jwt.previousSecrets,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    ttlSeconds: config.jwt.accessTokenTtlSeconds,
  });
  const revocations = createRevocationCache({
    accessTokenTtlSeconds: config.jwt.accessTokenTtlSeconds,
    maxEntries: config.revocation.maxEntries,
    logger,
  });
  // account.me answers from memory while the change feed (as the revocation cache has received it) is current.
  const views = createAccountViewCache({ maxEntries: config.accountCacheMax, feedIsCurrent: () => revocations.isCurrent() });
  const changeFeed = createChangeFeed({
    db,
    accessTokenTtlSeconds: config.jwt.accessTokenTtlSeconds,
    pollIntervalMs: config.revocation.pollIntervalMs,
    logger,
    revocations,
    // No views held (ACCOUNT_CACHE_MAX=0): the feed need not read profile changes.
    ...(config.accountCacheMax > 0 ? { onAccountChanges: views.feedChanges } : {}),
  });
  const sessions = createSessionService({ db, accessTokens, revocations, settings: config.sessions, encryption: config.encryption });
  const sessionKeys = createSessionKeys({ db, cipher, openidAuthType: openidAuthType(app.appid) });
  const contentGuard = createContentGuard({
    db,
    wechat,
    sessionKeys,
    logger,
    recheckDelaySeconds: config.wechat.contentRecheckIntervalSeconds,
  });
  const accounts = createAccountService({ db, revocations, heartbeatTimeoutSeconds: config.heartbeatTimeoutSeconds, contentGuard, views });
  const services = {
    login: createLoginService({
      db,
      appid: app.appid,
      code2session: createCode2Session(app, wechatSend),
      accessTokens,
      sessionKeys: cipher,
      sessions: config.sessions,
      codeCache: redis ? createRedisLoginCodeCache(redis, config.redisKeyPrefix) : createDatabaseLoginCodeCache(db),
      onSignedIn: accounts.changed,
    }),
    sessions,
    accounts,
    wechatAccount: createWeChatAccountService({
      db,
      wechat,
      sessionKeys,
      accounts,
      contentGuard,
      userInfoMaxAgeSeconds: config.wechat.userInfoMaxAgeSeconds,
    }),
    ranking: createRankingService({ wechat, sessionKeys, sessionKeyCheckAgeSeconds: config.wechat.sessionKeyCheckAgeSeconds }),
    guard: createSessionGuard({ cache: revocations, db }),
    rateLimits,
    runtime,
  };

  const timers: Array<ReturnType<typeof setInterval>> = [];
  // Each instance runs these; they are idempotent, so several instances only repeat each other's work.
  const every = (seconds: number, name: string, job: () => Promise<number>) => {
    const timer = setInterval(() => {
      job().then(
        (count) => {
          if (count > 0) logger.info({ count }, name);
        },
        (error: unknown) => logger.warn({ error: (error as Error).message }, `${name} failed; will try again`),
      );
    }, seconds * 1000);
    timer.unref();
    timers.push(timer);
  };

  return {
    createContext: createContextFactory({ services, accessTokens }),
    db,
    revocations,
    changeFeed,
    views,
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
      await changeFeed.start();
      every(config.sessions.pruneIntervalSeconds, 'pruned ended sessions', () => sessions.prune());
      every(Math.max(5, Math.floor(config.heartbeatTimeoutSeconds / 2)), 'marked silent players offline', () => accounts.sweepOffline());
      every(config.wechat.contentRecheckIntervalSeconds, 'rechecked nicknames stored while WeChat could not judge them', () =>
        contentGuard.recheck(),
      );
      every(60, 'pruned remembered login codes', () => services.login.pruneCodes());
    },
    async close(graceMs = 10_000) {
      changeFeed.stop();
      for (const timer of timers) clearInterval(timer);
      let timeout: ReturnType<typeof setTimeout> | undefined;
      const graceOver = new Promise<void>((resolve) => {
        timeout = setTimeout(() => {
          logger.warn({ graceMs }, 'procedures still running after the grace period: closing anyway');
          resolve();
        }, graceMs);
      });
      await Promise.race([runtime.idle(), graceOver]);
      clearTimeout(timeout);
      wechatTransport.close();
      redis?.disconnect();
      await Promise.all([db.destroy(), new Promise<void>((resolve) => (rateLimitPool ? rateLimitPool.end(() => resolve()) : resolve()))]);
    },
  };
}
