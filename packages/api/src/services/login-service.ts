import { createHash } from 'node:crypto';
import {
  findLoginCodeSession,
  LoginCodeTakenError,
  restartSessionRefresh,
  signInWithIdentity,
  type Database,
  type Kysely,
  type LoginCodeSession,
} from '@minigate/db';
import {
  CodeUsedError,
  WeChatBusyError,
  WeChatMisconfiguredError,
  WeChatTimeoutError,
  WeChatUnavailableError,
  type Code2Session,
} from '@minigate/wechat';
import type { AccessTokens } from '../access-tokens.js';
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
import { loginErrorFromWeChat } from './wechat-login-errors.js';

export interface LoginService {
  /** wx.login code → account, identity and profile upserted, a session opened → access and refresh tokens. */
  wechatLogin(code: string, caller: Caller): Promise<LoginAnswer>;
  /** Deletes the remembered codes that expired; returns how many. */
  pruneCodes(): Promise<number>;
}

export type { ServiceLogger };

export interface LoginServiceDeps {
  db: Kysely<Database>;
  appid: string;
  code2session: Code2Session;
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

/** auth_type of a WeChat openid: an openid belongs to one appid. */
export function openidAuthType(appid: string): string {
  return `wechat_openid:${appid}`;
}

/** auth_type of a WeChat unionid: the same person across the apps of one open platform account. */
export const UNIONID_AUTH_TYPE = 'wechat_unionid';

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
  const authType = openidAuthType(deps.appid);
  const ttlSeconds = deps.codeCacheTtlSeconds ?? 300;
  const retryWindowMs = (deps.codeRetryWindowSeconds ?? 60) * 1000;
  const cache = deps.codeCache;
  /** First submissions of codes being served in this process, by code hash. */
  const inflight = new Map<string, FirstSubmission>();

  const hashOf = (code: string) => createHash('sha256').update(`${deps.appid}\0${code}`).digest('hex');

  // The cache helps; it never blocks a login: its failures are logged and the login goes on without it.
  const cached = async (hash: string, log: ServiceLogger): Promise<CachedLoginCode | null> => {
    if (!cache) return null;
    try {
      return await cache.get(hash);
    } catch (error) {
      log.warn({ error: (error as Error).message }, 'login code cache unreadable: the code goes to WeChat');
      return null;
    }
  };
  const remember = async (hash: string, entry: CachedLoginCode, log: ServiceLogger) => {
    try {
      await cache?.put(hash, entry, ttlSeconds);
    } catch (error) {
      log.warn({ error: (error as Error).message }, 'login code cache unwritable: a retry of this code would reach WeChat');
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

  /** Once per code: never retried after WeChat answered (a code is single-use). */
  async function exchange(code: string, hash: string, log: ServiceLogger) {
    try {
      return await deps.code2session(code);
    } catch (error) {
      const failure = failureOf(error);
      if (failure) await remember(hash, { outcome: 'failed', failure, answeredAt: now() }, log);
      if (error instanceof WeChatMisconfiguredError) {
        log.error({ errcode: error.errcode, error: error.message }, 'WeChat refused our credentials: check WECHAT_APPID and WECHAT_SECRET');
      } else if (error instanceof WeChatBusyError || error instanceof WeChatUnavailableError || error instanceof WeChatTimeoutError) {
        // WeChat's own trouble: operators watch for a run of these.
        log.warn({ errcode: error.errcode, error: error.message }, 'WeChat could not log a player in');
      }
      throw error;
    }
  }

  /** A code sent again: a retry of its first answer restarts the session's refresh token; anything else is CODE_USED. */
  async function repeat(opened: OpenedByCode, caller: Caller): Promise<LoginAnswer> {
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
      ...deps.accessTokens.issue(opened.accountId, opened.sessionId),
      refreshToken: formatRefreshToken(opened.sessionId, refresh.secret),
      account: { id: opened.accountId, nickName: opened.nickName, avatarUrl: opened.avatar, isNew: opened.isNew },
    };
  }

  async function serveFirst(code: string, hash: string, caller: Caller, known: (opened: OpenedByCode) => void): Promise<LoginAnswer> {
    const log = caller.log;
    const found = await lookUp(hash, log);
    const repeatOf = (row: LoginCodeSession) => {
      const opened = openedFrom(row, now());
      known(opened);
      return repeat(opened, caller);
    };
    if (found.session) return repeatOf(found.session);
    if (found.cached?.outcome === 'failed') throw retryWithNewCode();
    // Exchanged by a server of the previous release, which kept every code in the cache: its session does not name the code.
    if (found.cached) throw codeUsed();

    let session;
    try {
      session = await exchange(code, hash, log);
    } catch (error) {
      // Another instance may have exchanged this very code a moment ago and be opening its session.
      const elsewhere = error instanceof CodeUsedError ? await openedElsewhere(hash) : null;
      if (elsewhere) return repeatOf(elsewhere);
      throw loginErrorFromWeChat(error);
    }
    const at = now();
    const refresh = newRefreshSecret();
    const encryptedSessionKey = deps.sessionKeys.encrypt(session.sessionKey);
    let account;
    try {
      account = await signInWithIdentity(deps.db, {
        authType,
        identifier: session.openid,
        credential: encryptedSessionKey,
        // The key's time stays its first sighting while WeChat hands the same key again.
        isSameCredential: (stored) => stored !== null && deps.sessionKeys.decrypt(stored) === session.sessionKey,
        ip: caller.ip,
        at: new Date(at),
        linkedIdentities: session.unionid ? [{ authType: UNIONID_AUTH_TYPE, identifier: session.unionid }] : [],
        session: {
          refreshTokenHash: refresh.hash,
          expiresAt: new Date(sessionExpiresAt(deps.sessions, at, at)),
          userAgent: caller.userAgent,
        },
        loginCodeHash: hash,
      });
    } catch (error) {
      if (!(error instanceof LoginCodeTakenError)) throw error;
      // WeChat answered another instance too, and its session came first: this submission is a repeat of it.
      const first = await findLoginCodeSession(deps.db, hash);
      if (!first) throw codeUsed();
      return repeatOf(first);
    }
    deps.onSignedIn?.(account.accountId);
    if (account.dataFlag !== 1 || account.sessionId === null) {
      throw new MinigateError({ code: 'FORBIDDEN', reason: 'ACCOUNT_DISABLED', message: 'This account is disabled' });
    }
    known({
      sessionId: account.sessionId,
      accountId: account.accountId,
      ip: caller.ip,
      openedAt: at,
      live: true,
      nickName: account.nickName,
      avatar: account.avatar,
      isNew: account.isNew,
    });
    return {
      ...deps.accessTokens.issue(account.accountId, account.sessionId),
      refreshToken: formatRefreshToken(account.sessionId, refresh.secret),
      account: { id: account.accountId, nickName: account.nickName, avatarUrl: account.avatar, isNew: account.isNew },
    };
  }

  return {
    async wechatLogin(code, caller) {
      const hash = hashOf(code);
      // Looked up and registered before any await, so that concurrent submissions of one code share one exchange.
      const running = inflight.get(hash);
      if (running) return repeat(await running.opened, caller);
      const first = firstSubmission();
      inflight.set(hash, first);
      try {
        return await serveFirst(code, hash, caller, first.settle);
      } catch (error) {
        // Those waiting answer the same (a no-op once the code's session is known).
        first.fail(error);
        throw error;
      } finally {
        inflight.delete(hash);
      }
    },

    async pruneCodes() {
      return (await cache?.prune?.()) ?? 0;
    },
  };
}
