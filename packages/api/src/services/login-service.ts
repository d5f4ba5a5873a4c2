import { createHash } from 'node:crypto';
import {
  findLiveIdentityOwner,
  findLoginCodeSession,
  LoginCodeTakenError,
  restartSessionRefresh,
  signInWithIdentity,
  type Database,
  type Kysely,
  type LoginCodeSession,
} from '@minigate/db';
import type { PlatformSession } from '@minigate/platforms';
import { CodeUsedError, WeChatBusyError, WeChatMisconfiguredError, WeChatTimeoutError, WeChatUnavailableError } from '@minigate/wechat';
import type { AccessTokens } from '../access-tokens.js';
import { anonymousAuthType, PLATFORM_NAMES } from '../apps/platform-identities.js';
import { signInIdentity } from '../apps/sign-in-identity.js';
import type { LoginCredentials, ServedApp, ServedApps } from '../apps/served-apps.js';
import type { Caller } from '../context.js';
import { MinigateError } from '../errors.js';
import type { CachedLoginCode, LoginCodeCache } from '../stores/login-code/login-code-cache.js';
import { formatRefreshToken, newRefreshSecret } from '../refresh-tokens.js';
import type { AtRestCipher } from '../at-rest-cipher.js';
import type { ServiceLogger } from './service-logger.js';
import { sessionExpiresAt, type SessionSettings } from './session-settings.js';
import {
  codeUsed,
  failureOf,
  firstSubmission,
  openedFrom,
  retryWithNewCode,
  USED_CODE_WAIT_MS,
  type FirstSubmission,
  type OpenedByCode,
} from './login-codes.js';
import type { LoginAnswer } from './views.js';
import { appUnknown, credentialsRefusal } from './login-refusals.js';
import { isPlatformMisconfigured, loginErrorFromPlatform } from './platform-login-errors.js';

export interface LoginService {
  /**
   * A login to the game of `appid` (WeChat, Douyin or QQ): its code (and on
   * Douyin the guest's anonymous code) → account, identity and profile
   * upserted, a session of that game opened → access and refresh tokens.
   */
  login(appid: string, credentials: LoginCredentials, caller: Caller): Promise<LoginAnswer>;
  /** auth.wechatLogin: a login to the deployment's (first) WeChat app. */
  wechatLogin(code: string, caller: Caller): Promise<LoginAnswer>;
  /** Deletes the remembered codes that expired; returns how many. */
  pruneCodes(): Promise<number>;
}

export type { ServiceLogger };

export interface LoginServiceDeps {
  db: Kysely<Database>;
  /** The games served, each with its platform's code exchange. */
  apps: ServedApps;
  accessTokens: AccessTokens;
  sessionKeys: AtRestCipher;
  sessions: SessionSettings;
  /**
   * The codes whose jscode2session met a failure that may have consumed
   * them, shared by the instances: such a code sent again never reaches
   * WeChat. (A code WeChat answered lives on the session it opened.) None:
   * those codes go to WeChat again.
   */
  codeCache?: LoginCodeCache;
  /** Told of each account a login signed in (its login time changed): `account.me` reads it afresh. */
  onSignedIn?: (accountId: number) => void;
  /** How long a code's failure is kept; WeChat's codes live 5 minutes. */
  codeCacheTtlSeconds?: number;
  /** How long after a code's first answer a repeat from the same IP is a retry, answered with the session it opened; default 60. */
  codeRetryWindowSeconds?: number;
  now?: () => number;
}

/**
 * A wx.login code is exchanged once. Its hash is written on the session its
 * login opens (by the session's INSERT, under a unique key), so a code
 * submitted again is judged by that session, without reaching WeChat: a
 * retry (the same client IP, within `codeRetryWindowSeconds` of the first
 * answer) is answered by restarting that session's refresh token, so only
 * the newest answer's refresh token lives; any other repeat is CODE_USED.
 */
export function createLoginService(deps: LoginServiceDeps): LoginService {
  const now = deps.now ?? Date.now;
  const ttlSeconds = deps.codeCacheTtlSeconds ?? 300;
  const retryWindowMs = (deps.codeRetryWindowSeconds ?? 60) * 1000;
  const cache = deps.codeCache;
  /** First submissions of codes being served in this process, by code hash. */
  const inflight = new Map<string, FirstSubmission>();

  /** A code belongs to one game; a guest's anonymous code (alone) is hashed apart from codes. */
  const hashOf = (appid: string, credentials: LoginCredentials) =>
    createHash('sha256')
      .update(credentials.code !== undefined ? `${appid}\0${credentials.code}` : `${appid}\0anonymous\0${credentials.anonymousCode ?? ''}`)
      .digest('hex');

  // The cache helps; it never blocks a login: its failures are logged and the login goes on without it.
  const cached = async (hash: string, log: ServiceLogger): Promise<CachedLoginCode | null> => {
    if (!cache) return null;
    try {
      return await cache.get(hash);
    } catch (error) {
      log.warn({ error: (error as Error).message }, 'login code cache unreadable: the code goes to its platform');
      return null;
    }
  };
  const remember = async (hash: string, entry: CachedLoginCode, log: ServiceLogger) => {
    try {
      await cache?.put(hash, entry, ttlSeconds);
    } catch (error) {
      log.warn({ error: (error as Error).message }, 'login code cache unwritable: a retry of this code would reach its platform');
    }
  };

  /** What is known of a code: the session it opened (a read that must succeed) and what the cache remembers. */
  async function lookUp(hash: string, log: ServiceLogger): Promise<{ session: LoginCodeSession | null; cached: CachedLoginCode | null }> {
    if (cache?.getWithSession) return cache.getWithSession(hash);
    const [session, entry] = await Promise.all([findLoginCodeSession(deps.db, hash), cached(hash, log)]);
    return { session, cached: entry };
  }

  /** After WeChat called the code used: the session another instance is opening for it, if it shows up. */
  async function openedElsewhere(hash: string): Promise<LoginCodeSession | null> {
    for (const waitMs of USED_CODE_WAIT_MS) {
      const found = await findLoginCodeSession(deps.db, hash);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
    return findLoginCodeSession(deps.db, hash);
  }

  /** Once per code: never retried after the platform answered (a code is single-use). */
  async function exchange(app: ServedApp, credentials: LoginCredentials, hash: string, log: ServiceLogger): Promise<PlatformSession> {
    try {
      return await app.exchange(credentials);
    } catch (error) {
      const failure = failureOf(error);
      if (failure) await remember(hash, { outcome: 'failed', failure, answeredAt: now() }, log);
      const logged = { appid: app.appid, errcode: (error as { errcode?: unknown }).errcode ?? null, error: (error as Error).message };
      if (error instanceof WeChatMisconfiguredError || isPlatformMisconfigured(error)) {
        const where = app.platform === 'wechat' ? 'WECHAT_APPID and WECHAT_SECRET, or its entry in APPS_FILE' : 'its entry in APPS_FILE';
        log.error(logged, `${PLATFORM_NAMES[app.platform]} refused our credentials: check the game's ${where}`);
      } else if (failure || error instanceof WeChatBusyError || error instanceof WeChatUnavailableError || error instanceof WeChatTimeoutError) {
        // The platform's own trouble: operators watch for a run of these.
        log.warn(logged, `${PLATFORM_NAMES[app.platform]} could not log a player in`);
      }
      throw error;
    }
  }

  /** A code sent again: a retry of its first answer restarts the session's refresh token; anything else is CODE_USED. */
  async function repeat(app: ServedApp, opened: OpenedByCode, caller: Caller): Promise<LoginAnswer> {
    const at = now();
    if (!opened.live || at - opened.openedAt > retryWindowMs) throw codeUsed();
    if (opened.ip !== caller.ip) {
      caller.log.warn({ sessionId: opened.sessionId }, 'a login code came again from another IP: refused (CODE_USED)');
      throw codeUsed();
    }
    const refresh = newRefreshSecret();
    // Refused once revoked meanwhile: a logout or a ban stays.
    if (!(await restartSessionRefresh(deps.db, opened.sessionId, refresh.hash, new Date(at)))) throw codeUsed();
    return {
      ...deps.accessTokens.issue(opened.accountId, opened.sessionId, app.appid),
      refreshToken: formatRefreshToken(opened.sessionId, refresh.secret),
      account: { id: opened.accountId, nickName: opened.nickName, avatarUrl: opened.avatar, isNew: opened.isNew },
      ...(opened.guestAccountId !== undefined ? { guestAccountId: opened.guestAccountId } : {}),
    };
  }

  async function serveFirst(
    app: ServedApp,
    credentials: LoginCredentials,
    hash: string,
    caller: Caller,
    known: (opened: OpenedByCode) => void,
  ): Promise<LoginAnswer> {
    const log = caller.log;
    const found = await lookUp(hash, log);
    const repeatOf = (row: LoginCodeSession) => {
      const opened = openedFrom(row, now());
      known(opened);
      return repeat(app, opened, caller);
    };
    if (found.session) return repeatOf(found.session);
    if (found.cached?.outcome === 'failed') throw retryWithNewCode();
    // Exchanged by a server of the previous release, which kept every code in the cache: its session does not name the code.
    if (found.cached) throw codeUsed();

    let session: PlatformSession;
    try {
      session = await exchange(app, credentials, hash, log);
    } catch (error) {
      // Another instance may have exchanged this very code a moment ago and be opening its session.
      const elsewhere = error instanceof CodeUsedError ? await openedElsewhere(hash) : null;
      if (elsewhere) return repeatOf(elsewhere);
      throw loginErrorFromPlatform(error);
    }
    const at = now();
    const refresh = newRefreshSecret();
    const identity = signInIdentity(app, session);
    let account;
    try {
      account = await signInWithIdentity(deps.db, {
        ...identity,
        // A Douyin guest gets no session key.
        credential: session.sessionKey ? deps.sessionKeys.encrypt(session.sessionKey) : null,
        // The key's time stays its first sighting while the platform hands the same key again.
        isSameCredential: (stored) => stored !== null && deps.sessionKeys.decrypt(stored) === session.sessionKey,
        ip: caller.ip,
        at: new Date(at),
        session: {
          refreshTokenHash: refresh.hash,
          expiresAt: new Date(sessionExpiresAt(deps.sessions, at, at)),
          userAgent: caller.userAgent,
          appid: app.appid,
        },
        loginCodeHash: hash,
      });
    } catch (error) {
      if (!(error instanceof LoginCodeTakenError)) throw error;
      // The platform answered another instance too, and its session came first: this submission is a repeat of it.
      const first = await findLoginCodeSession(deps.db, hash);
      if (!first) throw codeUsed();
      return repeatOf(first);
    }
    deps.onSignedIn?.(account.accountId);
    if (account.dataFlag !== 1 || account.sessionId === null) {
      throw new MinigateError({ code: 'FORBIDDEN', reason: 'ACCOUNT_DISABLED', message: 'This account is disabled' });
    }
    // An upgrade (code and anonymous code) whose openid had an account already: the guest's account stays apart.
    const guest =
      session.openid && session.anonymousOpenid ? await findLiveIdentityOwner(deps.db, anonymousAuthType(app.appid), session.anonymousOpenid) : null;
    const guestAccountId = guest !== null && guest !== account.accountId ? guest : undefined;
    known({
      sessionId: account.sessionId,
      accountId: account.accountId,
      ip: caller.ip,
      openedAt: at,
      live: true,
      nickName: account.nickName,
      avatar: account.avatar,
      isNew: account.isNew,
      ...(guestAccountId !== undefined ? { guestAccountId } : {}),
    });
    return {
      ...deps.accessTokens.issue(account.accountId, account.sessionId, app.appid),
      refreshToken: formatRefreshToken(account.sessionId, refresh.secret),
      account: { id: account.accountId, nickName: account.nickName, avatarUrl: account.avatar, isNew: account.isNew },
      ...(guestAccountId !== undefined ? { guestAccountId } : {}),
    };
  }

  async function login(app: ServedApp, credentials: LoginCredentials, caller: Caller): Promise<LoginAnswer> {
    const hash = hashOf(app.appid, credentials);
    // Looked up and registered before any await, so that concurrent submissions of one code share one exchange.
    const running = inflight.get(hash);
    if (running) return repeat(app, await running.opened, caller);
    const first = firstSubmission();
    inflight.set(hash, first);
    try {
      return await serveFirst(app, credentials, hash, caller, first.settle);
    } catch (error) {
      // Those waiting answer the same (a no-op once the code's session is known).
      first.fail(error);
      throw error;
    } finally {
      inflight.delete(hash);
    }
  }

  return {
    login(appid, credentials, caller) {
      const app = deps.apps.get(appid);
      if (!app) return Promise.reject(appUnknown(appid));
      const refused = credentialsRefusal(app, credentials);
      return refused ? Promise.reject(refused) : login(app, credentials, caller);
    },

    wechatLogin(code, caller) {
      const app = deps.apps.defaultWeChat;
      if (!app) return Promise.reject(appUnknown(null));
      return login(app, { code }, caller);
    },

    async pruneCodes() {
      return (await cache?.prune?.()) ?? 0;
    },
  };
}
