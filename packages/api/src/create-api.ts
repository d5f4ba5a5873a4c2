import type { Database, Kysely } from '@minigate/db';
import type { WeChatTransport } from '@minigate/wechat';
import { createAccessTokens } from './access-tokens.js';
import { createServedApps, type GameAppCredentials } from './apps/served-apps.js';
import { createAccountViewCache, type AccountViewCacheStats } from './account-view-cache.js';
import { createAtRestCipher } from './at-rest-cipher.js';
import { createChangeFeed, type ChangeFeed } from './change-feed.js';
import { createContextFactory, type Context, type RequestFacts } from './context.js';
import { createProcedureRuntime } from './procedure-runtime.js';
import { unlimited, type RateLimits } from './rate-limits.js';
import { createRevocationCache, type RevocationCacheStats } from './revocation-cache.js';
import { appRouter, type AppRouter } from './router.js';
import { createSessionGuard } from './session-guard.js';
import { createAccountService } from './services/account-service.js';
import { createContentGuard } from './services/content-guard.js';
import { createIdentityService } from './services/identity-service.js';
import { createCoinService, type CoinService } from './payments/coin-service.js';
import { createItemOrderService } from './payments/item-order-service.js';
import { createPushReceiver, type PushReceiver } from './payments/push-receiver.js';
import { createWalletService } from './payments/wallet-service.js';
import { createLoginService } from './services/login-service.js';
import { createRankingService } from './services/ranking-service.js';
import { createSessionKeys } from './services/session-keys.js';
import { createSessionService } from './services/session-service.js';
import type { ServiceLogger } from './services/service-logger.js';
import type { SessionSettings } from './services/session-settings.js';
import { createWeChatAccountService } from './services/wechat-account-service.js';
import { createJobs } from './jobs.js';
import { createStores, type RedisClient } from './stores/stores.js';
import { createMailAdmin, type MailAdmin } from './mail/mail-admin.js';
import { createMailService } from './mail/mail-service.js';
import { createNotificationService, type NotificationService } from './mail/notification-service.js';
import { createProgressionService } from './storage/progression-service.js';
import { createStorageService } from './storage/storage-service.js';
import type { StorageSettings } from './storage/storage-settings.js';
import type { LeaderboardDefinition } from './leaderboards/definitions.js';
import { createLeaderboardService, type LeaderboardUpkeep } from './leaderboards/leaderboard-service.js';
import { createConsole, type Console } from './console/create-console.js';

/** The settings the API reads (the server's configuration has them under these names). */
export interface ApiSettings {
  jwt: { secret: string; previousSecrets: string[]; issuer: string; audience: string; accessTokenTtlSeconds: number };
  /** ENCRYPTION_KEY and ENCRYPTION_KEYS_PREVIOUS: session keys, the access token and the refresh chains. */
  encryption: { key: Buffer; previousKeys: Buffer[] };
  sessions: SessionSettings & { pruneIntervalSeconds: number };
  revocation: { pollIntervalMs: number; maxEntries: number };
  /** ACCOUNT_CACHE_MAX: account.me answers held in memory (0: none). */
  accountCacheMax: number;
  heartbeatTimeoutSeconds: number;
  wechat: { contentRecheckIntervalSeconds: number; userInfoMaxAgeSeconds: number; sessionKeyCheckAgeSeconds: number };
  /** Cloud saves: STORAGE_*, EXPERIENCE_PER_LEVEL, each game's public-read collections. */
  storage: StorageSettings;
  /** Each game's leaderboards (APPS_FILE's `leaderboards`, or LEADERBOARDS_FILE for the WECHAT_* game), by appid. */
  leaderboards: Readonly<Record<string, readonly LeaderboardDefinition[]>>;
  /** The operator console: CONSOLE_SESSION_HOURS. */
  console: { sessionHours: number };
}

export interface ApiOptions {
  db: Kysely<Database>;
  /** The games served (WeChat, Douyin, QQ), and the transports their calls go through. */
  apps: {
    list: readonly GameAppCredentials[];
    /** WeChat's calls (backup domains, circuit breaker). */
    wechatTransport: WeChatTransport;
    /** Douyin's and QQ's calls. */
    transport: WeChatTransport;
  };
  stores: {
    /** REDIS_URL or REDIS_CLUSTER_NODES: the access token and the login codes live there; else in MySQL. */
    redis: RedisClient | null;
    /** REDIS_KEY_PREFIX. */
    redisKeyPrefix: string;
    /** The limits procedures apply (their stores are the server's); absent: RATE_LIMITS=off. */
    rateLimits?: RateLimits;
  };
  settings: ApiSettings;
  logger: ServiceLogger;
  /** Epoch milliseconds (default Date.now): what sessions, login codes and the access token are timed on. */
  clock?: () => number;
}

/** The API, built: what the HTTP layer serves and the background work it starts and stops. */
export interface Api {
  router: AppRouter;
  /** Each request's context (a bad token gives a context without a user, never a throw). */
  createContext(request: RequestFacts): Context;
  /** Reads the revocation window, then starts the change feed and the periodic jobs (pruning, the offline sweep, content rechecks). */
  start(): Promise<void>;
  /** Stops the background work (procedures still running go on: see idle()). */
  stop(): void;
  /** Resolves once no procedure is running. */
  idle(): Promise<void>;
  /** The change feed (tests read it now rather than within a poll interval). */
  changeFeed: Pick<ChangeFeed, 'poll' | 'stop'>;
  /** Each game's message-push receiver (/push/<appid>): WeChat's delivery of item orders. */
  pushes: PushReceiver;
  /** What operators do through WeChat (pnpm admin present, cancel-spend; mail --subscribe). */
  operator: Pick<CoinService, 'present' | 'cancelSpend'> & {
    mail: MailAdmin;
    notify: NotificationService['send'];
    /** pnpm admin remove-score: the player's entries off a board (every period, or one), kept in the audit table. */
    removeLeaderboardEntry: LeaderboardUpkeep['removeAsOperator'];
  };
  /** The operator console's API (/console/api), when the HTTP layer serves it. */
  console: Console;
  /** The in-memory caches, for /metrics. */
  cacheStats(): { views: AccountViewCacheStats; revocations: RevocationCacheStats };
}

/** Builds every service of the API from its database, WeChat, stores and settings. */
export function createApi(options: ApiOptions): Api {
  const { db, settings, logger } = options;
  const now = options.clock ? { now: options.clock } : {};
  const runtime = createProcedureRuntime(logger);
  const cipher = createAtRestCipher(settings.encryption.key, settings.encryption.previousKeys);
  const stores = createStores({ db, cipher, ...options.stores, ...now });
  const apps = createServedApps({
    apps: options.apps.list,
    wechatTransport: options.apps.wechatTransport,
    transport: options.apps.transport,
    tokenStore: stores.accessTokens,
    ...now,
  });
  const accessTokens = createAccessTokens({
    secret: settings.jwt.secret,
    previousSecrets: settings.jwt.previousSecrets,
    issuer: settings.jwt.issuer,
    audience: settings.jwt.audience,
    ttlSeconds: settings.jwt.accessTokenTtlSeconds,
  });
  const revocations = createRevocationCache({
    accessTokenTtlSeconds: settings.jwt.accessTokenTtlSeconds,
    maxEntries: settings.revocation.maxEntries,
    logger,
  });
  // account.me answers from memory while the change feed (as the revocation cache has received it) is current.
  const views = createAccountViewCache({ maxEntries: settings.accountCacheMax, feedIsCurrent: () => revocations.isCurrent(), ...now });
  const changeFeed = createChangeFeed({
    db,
    accessTokenTtlSeconds: settings.jwt.accessTokenTtlSeconds,
    pollIntervalMs: settings.revocation.pollIntervalMs,
    logger,
    revocations,
    // No views held (ACCOUNT_CACHE_MAX=0): the feed need not read profile changes.
    ...(settings.accountCacheMax > 0 ? { onAccountChanges: views.feedChanges } : {}),
  });
  const sessions = createSessionService({ db, accessTokens, revocations, settings: settings.sessions, encryption: settings.encryption, ...now });
  const sessionKeys = createSessionKeys({ db, cipher });
  // Nicknames are judged by WeChat's msg_sec_check, with the player's openid in the first WeChat game.
  const contentGuard = createContentGuard({
    db,
    app: apps.defaultWeChat,
    sessionKeys,
    logger,
    recheckDelaySeconds: settings.wechat.contentRecheckIntervalSeconds,
    ...now,
  });
  const leaderboards = createLeaderboardService({
    db,
    boards: settings.leaderboards,
    defaultApp: apps.defaultWeChat?.appid ?? null,
    redis: options.stores.redis,
    redisKeyPrefix: options.stores.redisKeyPrefix,
    logger,
    ...now,
  });
  const accounts = createAccountService({
    db,
    revocations,
    heartbeatTimeoutSeconds: settings.heartbeatTimeoutSeconds,
    contentGuard,
    views,
    onLeaderboardEntriesRemoved: (entries) => leaderboards.forget(entries),
  });
  const login = createLoginService({
    db,
    apps,
    accessTokens,
    sessionKeys: cipher,
    sessions: settings.sessions,
    codeCache: stores.loginCodes,
    onSignedIn: accounts.changed,
    ...now,
  });
  const coins = createCoinService({ db, apps, sessionKeys, ...now });
  // Mail and subscribe messages.
  const notifications = createNotificationService({ db, apps, ...now });
  const mailAdmin = createMailAdmin({ db, notifications, ...now });
  const services = {
    apps,
    login,
    identities: createIdentityService({ db, apps, accounts, sessionKeys: cipher, ...now }),
    sessions,
    accounts,
    wechatAccount: createWeChatAccountService({
      db,
      apps,
      sessionKeys,
      accounts,
      contentGuard,
      userInfoMaxAgeSeconds: settings.wechat.userInfoMaxAgeSeconds,
    }),
    ranking: createRankingService({ apps, sessionKeys, sessionKeyCheckAgeSeconds: settings.wechat.sessionKeyCheckAgeSeconds }),
    payments: {
      orders: createItemOrderService({ db, apps, sessionKeys, ...now }),
      coins,
      wallet: createWalletService({ db, ...now }),
    },
    // Cloud saves.
    storage: createStorageService({ db, apps, settings: settings.storage, ...now }),
    progression: createProgressionService({ db, experiencePerLevel: settings.storage.experiencePerLevel, onChanged: accounts.changed }),
    // Mail and subscribe messages.
    mail: createMailService({ db, changed: accounts.changed, ...now }),
    notifications,
    leaderboards,
    guard: createSessionGuard({ cache: revocations, db }),
    rateLimits: options.stores.rateLimits ?? unlimited,
    runtime,
  };
  // Each instance runs these; they are idempotent, so several instances only repeat each other's work.
  const jobs = createJobs(logger, [
    { everySeconds: settings.sessions.pruneIntervalSeconds, name: 'pruned ended sessions', run: () => sessions.prune() },
    {
      everySeconds: Math.max(5, Math.floor(settings.heartbeatTimeoutSeconds / 2)),
      name: 'marked silent players offline',
      run: () => accounts.sweepOffline(),
    },
    {
      everySeconds: settings.wechat.contentRecheckIntervalSeconds,
      name: 'rechecked nicknames stored while WeChat could not judge them',
      run: () => contentGuard.recheck(),
    },
    { everySeconds: 60, name: 'pruned remembered login codes', run: () => login.pruneCodes() },
  ]);

  return {
    router: appRouter,
    createContext: createContextFactory({ services, accessTokens }),
    async start() {
      await changeFeed.start();
      jobs.start();
    },
    stop() {
      changeFeed.stop();
      jobs.stop();
    },
    idle: () => runtime.idle(),
    changeFeed,
    operator: {
      present: (grant, log) => coins.present(grant, log),
      cancelSpend: (cancel, log) => coins.cancelSpend(cancel, log),
      mail: mailAdmin,
      notify: (send, log) => notifications.send(send, log),
      removeLeaderboardEntry: (removal) => leaderboards.removeAsOperator(removal),
    },
    console: createConsole({
      db,
      settings: { sessionHours: settings.console.sessionHours, csrfKey: settings.jwt.secret },
      apps,
      heartbeatTimeoutSeconds: settings.heartbeatTimeoutSeconds,
      mail: mailAdmin,
      removeLeaderboardEntry: (removal) => leaderboards.removeAsOperator(removal),
      deleteAccount: (accountId, by) => accounts.deleteAccount(accountId, by),
      rateLimits: options.stores.rateLimits ?? unlimited,
      runtime,
      ...now,
    }),
    pushes: counted(runtime, createPushReceiver({ db, apps, onDelivered: accounts.changed, ...now })),
    cacheStats: () => ({ views: views.stats(), revocations: revocations.stats() }),
  };
}

/** A push in flight counts like a procedure: the pools close only after it ended. */
function counted(runtime: ReturnType<typeof createProcedureRuntime>, receiver: PushReceiver): PushReceiver {
  return {
    verify: (appid, query) => receiver.verify(appid, query),
    async receive(appid, query, body, log) {
      const ended = runtime.started();
      try {
        return await receiver.receive(appid, query, body, log);
      } finally {
        ended();
      }
    },
  };
}
