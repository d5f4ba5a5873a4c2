import {
  createAccessTokens,
  createAccountService,
  createContextFactory,
  createProcedureRuntime,
  createLoginService,
  createRevocationCache,
  createSessionGuard,
  createSessionKeyCipher,
  createSessionService,
  type RevocationCache,
  type ServiceLogger,
} from '@minigate/api';
import { createDatabase, type Database, type Kysely } from '@minigate/db';
import { createMysqlPool } from '@minigate/db/mysql-pool';
import { Redis } from 'ioredis';
import { createCode2Session, createHttpTransport } from '@minigate/wechat';
import type { Config } from './config.js';
import { createRateLimits } from './rate-limits.js';
import { createWeChatCallTimer, type WeChatCallTimer } from './wechat-calls.js';

/** Everything the HTTP layer serves, built once from the configuration. */
export interface Application {
  createContext: ReturnType<typeof createContextFactory>;
  db: Kysely<Database>;
  revocations: RevocationCache;
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

export function wireApplication(config: Config, logger: ServiceLogger): Application {
  const db = createDatabase(config.databaseUrl);
  const runtime = createProcedureRuntime(logger);
  // rate-limiter-flexible takes a mysql2 pool of its own (a few connections: login and refresh only).
  const rateLimitPool = config.rateLimits && !config.redisUrl ? createMysqlPool(config.databaseUrl, { connectionLimit: 4 }) : null;
  // No offline queue: while Redis is away, limits fall to the in-memory insurance at once.
  const redis =
    config.rateLimits && config.redisUrl
      ? new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000 })
      : null;
  redis?.on('error', (error: Error) => logger.warn({ error: error.message }, 'Redis unreachable: rate limits use the in-memory insurance'));
  const rateLimits = createRateLimits(config.rateLimits, { databaseUrl: config.databaseUrl, mysql: rateLimitPool, redis }, logger);
  const wechatCalls = createWeChatCallTimer();
  const wechatTransport = wechatCalls.instrument(createHttpTransport({ timeoutMs: config.wechat.timeoutMs }));
  const accessTokens = createAccessTokens({
    secret: config.jwt.secret,
    previousSecrets: config.jwt.previousSecrets,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    ttlSeconds: config.jwt.accessTokenTtlSeconds,
  });
  const revocations = createRevocationCache({
    db,
    accessTokenTtlSeconds: config.jwt.accessTokenTtlSeconds,
    pollIntervalMs: config.revocation.pollIntervalMs,
    maxEntries: config.revocation.maxEntries,
    logger,
  });
  const sessions = createSessionService({ db, accessTokens, revocations, settings: config.sessions, logger });
  const accounts = createAccountService({ db, revocations, heartbeatTimeoutSeconds: config.heartbeatTimeoutSeconds });
  const services = {
    login: createLoginService({
      db,
      appid: config.wechat.appid,
      code2session: createCode2Session(config.wechat, wechatTransport.send),
      accessTokens,
      sessionKeys: createSessionKeyCipher(config.encryption.key, config.encryption.previousKeys),
      sessions: config.sessions,
      logger,
    }),
    sessions,
    accounts,
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
    wechatCalls,
    async start() {
      await revocations.start();
      every(config.sessions.pruneIntervalSeconds, 'pruned ended sessions', () => sessions.prune());
      every(Math.max(5, Math.floor(config.heartbeatTimeoutSeconds / 2)), 'marked silent players offline', () => accounts.sweepOffline());
    },
    async close(graceMs = 10_000) {
      revocations.stop();
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
