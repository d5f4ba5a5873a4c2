import type { AccessTokens } from './access-tokens.js';
import type { ServedApps } from './apps/served-apps.js';
import type { IdentityService } from './services/identity-service.js';
import type { CoinService } from './payments/coin-service.js';
import type { ItemOrderService } from './payments/item-order-service.js';
import type { WalletService } from './payments/wallet-service.js';
import type { ProcedureRuntime } from './procedure-runtime.js';
import type { RateLimits } from './rate-limits.js';
import type { SessionGuard } from './session-guard.js';
import type { AccountService } from './services/account-service.js';
import type { LoginService } from './services/login-service.js';
import type { RankingService } from './services/ranking-service.js';
import type { SessionService } from './services/session-service.js';
import type { ServiceLogger } from './services/service-logger.js';
import type { WeChatAccountService } from './services/wechat-account-service.js';
import type { MailService } from './mail/mail-service.js';
import type { NotificationService } from './mail/notification-service.js';
import type { ProgressionService } from './storage/progression-service.js';
import type { StorageService } from './storage/storage-service.js';
import type { LeaderboardService } from './leaderboards/leaderboard-service.js';

/** The services procedures call; procedures stay thin. */
export interface Services {
  /** The games served, by appid. */
  apps: ServedApps;
  login: LoginService;
  /** account.linkIdentity and account.unlinkIdentity. */
  identities: IdentityService;
  sessions: SessionService;
  accounts: AccountService;
  /** account.syncWeChatUserInfo and account.bindPhone. */
  wechatAccount: WeChatAccountService;
  ranking: RankingService;
  /** payments.* and wallet.*. */
  payments: { orders: ItemOrderService; coins: CoinService; wallet: WalletService };
  // Cloud saves: storage.*, and the grants of experience other services make.
  storage: StorageService;
  progression: ProgressionService;
  // Mail and subscribe messages: mail.* and notifications.*.
  mail: MailService;
  notifications: NotificationService;
  /** leaderboards.*. */
  leaderboards: LeaderboardService;
  guard: SessionGuard;
  rateLimits: RateLimits;
  runtime: ProcedureRuntime;
}

export interface AuthenticatedUser {
  accountId: number;
  /** The session (login) the access token belongs to. */
  sessionId: number;
  /** The game the session signed in to; null for a token from before several games (the deployment's WeChat app). */
  appid: string | null;
}

export type AuthFailure = 'TOKEN_MISSING' | 'TOKEN_INVALID' | 'TOKEN_EXPIRED';

/** Who is calling from where: sessions record it. */
export interface Caller {
  /** The client's IP, as the HTTP layer determined it (TRUST_PROXY). */
  ip: string;
  /** The User-Agent header, cut to 255 characters. */
  userAgent: string;
  /**
   * The request's own logger: every line the services write while serving
   * it carries its request id (the id is bound here, not looked up in an
   * AsyncLocalStorage, which slowed every promise of every call by ~10 %).
   */
  log: ServiceLogger;
}

export interface Context {
  /**
   * The caller of a valid access token, or null when it is missing or bad
   * (public calls in the same batch still run). Revocation is checked by
   * protected procedures, not here.
   */
  user: AuthenticatedUser | null;
  /** Why `user` is null; protected procedures answer with it. */
  authFailure: AuthFailure | null;
  caller: Caller;
  services: Services;
}

/** What the HTTP layer tells about one request; nothing adapter-specific. */
export interface RequestFacts {
  authorization: string | undefined;
  ip: string;
  userAgent: string | undefined;
  /** The logger bound to this request (its id). */
  log: ServiceLogger;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const USER_AGENT_LENGTH = 255;

/** Builds each request's context; a bad token gives `user: null`, never a throw. */
export function createContextFactory(deps: { services: Services; accessTokens: AccessTokens }) {
  return (request: RequestFacts): Context => {
    const base = {
      caller: { ip: request.ip, userAgent: (request.userAgent ?? '').slice(0, USER_AGENT_LENGTH), log: request.log },
      services: deps.services,
    };
    if (!request.authorization) return { ...base, user: null, authFailure: 'TOKEN_MISSING' };
    const token = BEARER.exec(request.authorization)?.[1];
    if (!token) return { ...base, user: null, authFailure: 'TOKEN_INVALID' };
    const check = deps.accessTokens.verify(token);
    if (!check.ok) return { ...base, user: null, authFailure: check.reason };
    // A game no longer served: its sessions end with it.
    if (!deps.services.apps.ofSession(check.appid)) return { ...base, user: null, authFailure: 'TOKEN_INVALID' };
    return { ...base, user: { accountId: check.accountId, sessionId: check.sessionId, appid: check.appid }, authFailure: null };
  };
}
