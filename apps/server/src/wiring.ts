import {
  createAccessTokens,
  createAccountService,
  createContextFactory,
  createLoginService,
  createRevocationCache,
  createSessionGuard,
  createSessionKeyCipher,
  createSessionService,
  type RevocationCache,
  type ServiceLogger,
} from '@minigate/api';
import { createDatabase, type Database, type Kysely } from '@minigate/db';
import { createCode2Session, createHttpTransport } from '@minigate/wechat';
import type { Config } from './config.js';

/** Everything the HTTP layer serves, built once from the configuration. */
export interface Application {
  createContext: ReturnType<typeof createContextFactory>;
  db: Kysely<Database>;
  revocations: RevocationCache;
  /** Loads the revocation window and starts the background work: the feed poll, session pruning, the offline sweep. */
  start(): Promise<void>;
  /** Stops the background work, releases the database pool and WeChat's kept-alive sockets. */
  close(): Promise<void>;
}

export function wireApplication(config: Config, logger: ServiceLogger): Application {
  const db = createDatabase(config.databaseUrl);
  const wechatTransport = createHttpTransport({ timeoutMs: config.wechat.timeoutMs });
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
    async start() {
      await revocations.start();
      every(config.sessions.pruneIntervalSeconds, 'pruned ended sessions', () => sessions.prune());
      every(Math.max(5, Math.floor(config.heartbeatTimeoutSeconds / 2)), 'marked silent players offline', () => accounts.sweepOffline());
    },
    async close() {
      revocations.stop();
      for (const timer of timers) clearInterval(timer);
      wechatTransport.close();
      await db.destroy();
    },
  };
}
