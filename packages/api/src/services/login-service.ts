import { createHash } from 'node:crypto';
import { signInWithIdentity, type Database, type Kysely } from '@minigate/db';
import {
  CodeUsedError,
  WeChatBusyError,
  WeChatCircuitOpenError,
  WeChatMisconfiguredError,
  WeChatTimeoutError,
  WeChatUnavailableError,
  type Code2Session,
  type WeChatSession,
} from '@minigate/wechat';
import type { AccessTokens } from '../access-tokens.js';
import type { Caller } from '../context.js';
import { MinigateError } from '../errors.js';
import type { CachedLoginCode, LoginCodeCache } from '../login-code-cache.js';
import { formatRefreshToken, newRefreshSecret } from '../refresh-tokens.js';
import type { SessionKeyCipher } from '../session-key-cipher.js';
import type { ServiceLogger } from './service-logger.js';
import type { SessionSettings } from './session-settings.js';
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
  sessionKeys: SessionKeyCipher;
  sessions: SessionSettings;
  /**
   * What jscode2session answered for each code, shared by the instances: a
   * code submitted again (a client retrying after a lost answer) is served
   * from it and never reaches WeChat. None: every code goes to WeChat.
   */
  codeCache?: LoginCodeCache;
  /** Told of each account a login signed in (its login time changed): `account.me` reads it afresh. */
  onSignedIn?: (accountId: number) => void;
  /** How long a code's answer is kept; WeChat's codes live 5 minutes. */
  codeCacheTtlSeconds?: number;
  now?: () => number;
}

/** auth_type of a WeChat openid: an openid belongs to one appid. */
export function openidAuthType(appid: string): string {
  return `wechat_openid:${appid}`;
}

/** auth_type of a WeChat unionid: the same person across the apps of one open platform account. */
export const UNIONID_AUTH_TYPE = 'wechat_unionid';

/** A code whose jscode2session failed this way may have been consumed: it is never sent again. */
function failureOf(error: unknown): 'busy' | 'timeout' | 'unavailable' | null {
  if (error instanceof WeChatBusyError) return 'busy';
  if (error instanceof WeChatTimeoutError) return 'timeout';
  // The breaker refused before anything was sent: the code is unspent, but the client gets a new one anyway.
  if (error instanceof WeChatCircuitOpenError) return null;
  if (error instanceof WeChatUnavailableError) return 'unavailable';
  return null;
}

const retryWithNewCode = () =>
  new MinigateError({
    code: 'SERVICE_UNAVAILABLE',
    reason: 'CODE_RETRY_WITH_NEW_CODE',
    message: 'This login code met a WeChat failure and is not sent again: call wx.login for a new code and log in with it',
    retryAfterSeconds: 1,
  });

/** What jscode2session answered for a code, now or earlier (from the cache). */
interface ExchangedCode {
  session: WeChatSession;
  /** session.sessionKey as stored (SessionKeyCipher). */
  encryptedSessionKey: string;
  /** Epoch ms of WeChat's answer. */
  answeredAt: number;
}

/** While another instance may still be storing its answer for a code WeChat calls used: how long to look for it. */
const USED_CODE_WAIT_MS = [100, 250, 500, 1000];

export function createLoginService(deps: LoginServiceDeps): LoginService {
  const now = deps.now ?? Date.now;
  const authType = openidAuthType(deps.appid);
  const ttlSeconds = deps.codeCacheTtlSeconds ?? 300;
  const cache = deps.codeCache;
  /** Codes being exchanged in this process: a second submission waits for the first one's answer. */
  const inflight = new Map<string, Promise<ExchangedCode>>();

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
  const sessionFrom = (entry: CachedLoginCode): ExchangedCode | null => {
    if (entry.outcome !== 'session') return null;
    const sessionKey = deps.sessionKeys.decrypt(entry.encryptedSessionKey);
    return sessionKey
      ? {
          session: { openid: entry.openid, unionid: entry.unionid, sessionKey },
          encryptedSessionKey: entry.encryptedSessionKey,
          answeredAt: entry.answeredAt,
        }
      : null;
  };

  async function exchange(code: string, hash: string, log: ServiceLogger): Promise<ExchangedCode> {
    try {
      // Once per code: never retried after WeChat answered (a code is single-use).
      const session = await deps.code2session(code);
      const answeredAt = now();
      // Encrypted once: the cache entry and the identity's credential hold the same ciphertext.
      const encryptedSessionKey = deps.sessionKeys.encrypt(session.sessionKey);
      await remember(hash, { outcome: 'session', openid: session.openid, unionid: session.unionid, encryptedSessionKey, answeredAt }, log);
      return { session, encryptedSessionKey, answeredAt };
    } catch (error) {
      const failure = failureOf(error);
      if (failure) await remember(hash, { outcome: 'failed', failure, answeredAt: now() }, log);
      if (error instanceof CodeUsedError && cache) {
        // Another instance may have exchanged this very code a moment ago and be storing its answer.
        for (const waitMs of USED_CODE_WAIT_MS) {
          const entry = await cached(hash, log);
          const found = entry && sessionFrom(entry);
          if (found) return found;
          await new Promise((resolve) => setTimeout(resolve, waitMs));
        }
      }
      if (error instanceof WeChatMisconfiguredError) {
        log.error({ errcode: error.errcode, error: error.message }, 'WeChat refused our credentials: check WECHAT_APPID and WECHAT_SECRET');
      } else if (error instanceof WeChatBusyError || error instanceof WeChatUnavailableError || error instanceof WeChatTimeoutError) {
        // WeChat's own trouble: operators watch for a run of these.
        log.warn({ errcode: error.errcode, error: error.message }, 'WeChat could not log a player in');
      }
      throw loginErrorFromWeChat(error);
    }
  }

  async function lookUpOrExchange(code: string, hash: string, log: ServiceLogger): Promise<ExchangedCode> {
    const entry = await cached(hash, log);
    if (entry?.outcome === 'failed') throw retryWithNewCode();
    const found = entry && sessionFrom(entry);
    if (found) return found;
    return exchange(code, hash, log);
  }

  function sessionFor(code: string, log: ServiceLogger): Promise<ExchangedCode> {
    const hash = hashOf(code);
    // Registered before any await, so that concurrent submissions of one code share one look-up and one exchange.
    const running = inflight.get(hash);
    if (running) return running;
    const work = lookUpOrExchange(code, hash, log).finally(() => inflight.delete(hash));
    inflight.set(hash, work);
    return work;
  }

  return {
    async wechatLogin(code, caller) {
      const { session, encryptedSessionKey, answeredAt } = await sessionFor(code, caller.log);
      const at = now();
      const refresh = newRefreshSecret();
      const account = await signInWithIdentity(deps.db, {
        authType,
        identifier: session.openid,
        credential: encryptedSessionKey,
        // The key's time is WeChat's answer, and stays its first sighting while WeChat hands the same key again.
        credentialAt: new Date(answeredAt),
        isSameCredential: (stored) => stored !== null && (stored === encryptedSessionKey || deps.sessionKeys.decrypt(stored) === session.sessionKey),
        ip: caller.ip,
        at: new Date(at),
        linkedIdentities: session.unionid ? [{ authType: UNIONID_AUTH_TYPE, identifier: session.unionid }] : [],
        session: {
          refreshTokenHash: refresh.hash,
          expiresAt: new Date(at + deps.sessions.refreshTokenTtlSeconds * 1000),
          userAgent: caller.userAgent,
        },
      });
      deps.onSignedIn?.(account.accountId);
      if (account.dataFlag !== 1 || account.sessionId === null) {
        throw new MinigateError({ code: 'FORBIDDEN', reason: 'ACCOUNT_DISABLED', message: 'This account is disabled' });
      }

      return {
        ...deps.accessTokens.issue(account.accountId, account.sessionId),
        refreshToken: formatRefreshToken(account.sessionId, refresh.secret),
        account: { id: account.accountId, nickName: account.nickName, avatarUrl: account.avatar, isNew: account.isNew },
      };
    },

    async pruneCodes() {
      return (await cache?.prune?.()) ?? 0;
    },
  };
}
