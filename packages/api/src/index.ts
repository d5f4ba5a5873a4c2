export { appRouter, type AppRouter } from './router.js';
export { createContextFactory, type Context, type RequestFacts, type Services, type AuthenticatedUser, type AuthFailure } from './context.js';
export { createAccessTokens, type AccessTokens, type AccessTokenOptions, type IssuedAccessToken } from './access-tokens.js';
export { createSessionKeyCipher, type SessionKeyCipher } from './session-key-cipher.js';
export {
  createLoginService,
  openidAuthType,
  UNIONID_AUTH_TYPE,
  type LoginService,
  type LoginServiceDeps,
  type ServiceLogger,
} from './services/login-service.js';
export { createAccountService, type AccountService } from './services/account-service.js';
export type { LoginAnswer, AccountSummary, AccountView } from './services/views.js';
export { MinigateError, retryAfterSeconds, type ErrorReason } from './errors.js';
export type { MinigateErrorShape, MinigateErrorData, InvalidField } from './error-shape.js';
