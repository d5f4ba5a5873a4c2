// The API runs on Node: its types come along wherever its router type is imported (the client, the game),
// whose own settings name only their runtime's globals.
/// <reference types="node" />
export { appRouter, type AppRouter } from './router.js';
export {
  createContextFactory,
  type Context,
  type RequestFacts,
  type Services,
  type AuthenticatedUser,
  type AuthFailure,
  type Caller,
} from './context.js';
export { createAccessTokens, keyIdOf, type AccessTokens, type AccessTokenOptions, type IssuedAccessToken } from './access-tokens.js';
export { createAtRestCipher, type AtRestCipher } from './at-rest-cipher.js';
export { createAccountViewCache, type AccountViewCache, type AccountViewCacheStats } from './account-view-cache.js';
export { createChangeFeed, type ChangeFeed, type ChangeFeedOptions, type AccountChanges } from './change-feed.js';
export { createRevocationCache, type RevocationCache, type RevocationCacheOptions, type RevocationCacheStats } from './revocation-cache.js';
export { createSessionGuard, type SessionGuard } from './session-guard.js';
export { createLoginService, openidAuthType, UNIONID_AUTH_TYPE, type LoginService, type LoginServiceDeps } from './services/login-service.js';
export type { ServiceLogger } from './services/service-logger.js';
export type { SessionSettings } from './services/session-settings.js';
export { createSessionService, type SessionService, type SessionServiceDeps } from './services/session-service.js';
export { createAccountService, type AccountService, type AccountServiceDeps } from './services/account-service.js';
export { createAdminService, type AdminService, type OperatorAction } from './services/admin-service.js';
export type { LoginAnswer, AccountSummary, AccountView, HeartbeatAnswer, AccountExportView, SessionView } from './services/views.js';
export { unlimited, type RateLimits, type RateLimitName } from './rate-limits.js';
export { createProcedureRuntime, type ProcedureRuntime } from './procedure-runtime.js';
export { MinigateError, retryAfterSeconds, SharedStoreUnavailableError, type ErrorReason } from './errors.js';
export { formatError, type MinigateErrorShape, type MinigateErrorData, type InvalidField } from './error-shape.js';
export { createDatabaseAccessTokenStore } from './stores/access-token/mysql.js';
export { createRedisAccessTokenStore } from './stores/access-token/redis.js';
export { encryptedAccessTokenStore } from './stores/access-token/encrypted.js';
export { createDatabaseLoginCodeCache } from './stores/login-code/mysql.js';
export { createRedisLoginCodeCache } from './stores/login-code/redis.js';
export type { CachedLoginCode, LoginCodeCache } from './stores/login-code/login-code-cache.js';
export type { RedisClient } from './stores/redis-client.js';
export { createSessionKeys, type SessionKeys, type PlayerSessionKey } from './services/session-keys.js';
export { createContentGuard, type ContentGuard, type ContentGuardDeps, type ContentVerdict } from './services/content-guard.js';
export {
  createWeChatAccountService,
  PHONE_AUTH_TYPE,
  type WeChatAccountService,
  type WeChatAccountServiceDeps,
  type UserInfoInput,
} from './services/wechat-account-service.js';
export { createRankingService, type RankingService, type RankingServiceDeps } from './services/ranking-service.js';
export type { PhoneBindAnswer, ScoreAnswer } from './services/views.js';
