import type { AppRouter, LoginAnswer } from '@minigate/api';
import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client';
import type { MinigameWx } from './minigame-wx.js';
import { reasonOf, renewSessionLink } from './renew-session-link.js';
import { createSessionStore, type StoredSession } from './session-store.js';
import { createWxFetch } from './wx-fetch.js';

export interface ClientOptions {
  /** The tRPC endpoint, e.g. `https://api.example.com/trpc`. */
  url: string;
  /** The mini-game's `wx`. */
  wx: MinigameWx;
  /** The wx storage key that holds the session; default `minigate.session`. */
  storageKey?: string;
  /** Milliseconds for each HTTP request; default 15000 (wx's own default is 60 s). */
  timeoutMs?: number;
  /** Calls per batched request; keep it at or under the server's MAX_BATCH_SIZE. Default 20. */
  maxBatchSize?: number;
  /** wx.requests the client keeps in flight, 1 to 10 (wx allows 10 for the whole game); default 8. */
  maxRequestsInFlight?: number;
}

export interface MinigateClient {
  /** The typed API: `await api.account.me.query()`. */
  api: TRPCClient<AppRouter>;
  /**
   * wx.login → auth.wechatLogin; keeps the tokens in wx storage. Concurrent
   * calls share one login. Calls refused for an expired, invalid or revoked
   * token renew the session by themselves (auth.refresh, else a silent
   * wx.login), once, and are retried.
   */
  login(): Promise<LoginAnswer>;
  /** Forgets the session kept in wx storage at once, then ends it on the server (auth.logout); never fails. */
  logout(): Promise<void>;
  /** Whether a session is kept and its token has not yet expired (counted from expiresIn, not the server's clock). */
  isLoggedIn(): boolean;
}

/** wx.login as a promise; rejects after `timeoutMs` too, so a login that never calls back cannot block later ones. */
function wxLogin(wx: MinigameWx, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wx.login failed: no answer within ${timeoutMs} ms`)), timeoutMs);
    wx.login({
      timeout: timeoutMs,
      success: (result) => {
        clearTimeout(timer);
        resolve(result.code);
      },
      fail: (error) => {
        clearTimeout(timer);
        reject(new Error(`wx.login failed: ${error?.errMsg ?? 'no reason given'}`));
      },
    });
  });
}

/** Refresh failures after which a new login would not help: the player is banned or the account is gone. */
const FINAL_REASONS = new Set(['ACCOUNT_DISABLED', 'ACCOUNT_DELETED']);

/** wx.request allows 10 requests in flight for the whole game. */
const WX_MAX_REQUESTS = 10;

/**
 * The minigate client for a WeChat mini-game.
 * @example
 * const { createClient } = require('./minigate.js');
 * const { api, login } = createClient({ url: 'https://api.example.com/trpc', wx });
 * await login();
 * const me = await api.account.me.query();
 */
export function createClient(options: ClientOptions): MinigateClient {
  const sessions = createSessionStore(options.wx, options.storageKey ?? 'minigate.session');
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxInFlight = Math.min(WX_MAX_REQUESTS, Math.max(1, Math.floor(options.maxRequestsInFlight ?? 8) || 1));
  const currentToken = () => sessions.read()?.accessToken ?? null;
  // Bumped by logout(): a login or refresh that was under way then must not save its session.
  let logouts = 0;
  const save = (answer: LoginAnswer, logoutsAtStart: number) => {
    if (logouts !== logoutsAtStart) return;
    const session: StoredSession = { accessToken: answer.accessToken, expiresAtOnDevice: Date.now() + answer.expiresIn * 1000 };
    sessions.save(answer.refreshToken ? { ...session, refreshToken: answer.refreshToken } : session);
  };

  let renewalInFlight: Promise<void> | null = null;
  /** auth.refresh with the kept refresh token; when that fails (but for a ban or deletion), a silent wx.login. */
  function renewSession(): Promise<void> {
    renewalInFlight ??= (async () => {
      const logoutsAtStart = logouts;
      const refreshToken = sessions.read()?.refreshToken;
      try {
        if (refreshToken) {
          try {
            save(await api.auth.refresh.mutate({ refreshToken }), logoutsAtStart);
            return;
          } catch (error) {
            if (FINAL_REASONS.has(reasonOf(error) ?? '')) throw error;
          }
        }
        if (logouts === logoutsAtStart) await login();
      } finally {
        renewalInFlight = null;
      }
    })();
    return renewalInFlight;
  }

  const api = createTRPCClient<AppRouter>({
    links: [
      renewSessionLink({
        currentToken,
        async renew(staleToken) {
          // Another call already replaced the stale token: just retry.
          if (currentToken() !== staleToken) return true;
          try {
            await renewSession();
            return true;
          } catch (error) {
            // Stop every later call from meeting the same stale token and
            // renewing again: the game sees TOKEN_MISSING and decides.
            if (currentToken() === staleToken) sessions.forget();
            throw error;
          }
        },
        sessionEnded: () => {
          logouts += 1;
          sessions.forget();
        },
      }),
      httpBatchLink({
        url: options.url,
        fetch: createWxFetch(options.wx, { timeoutMs, maxInFlight }) as unknown as typeof fetch,
        maxItems: options.maxBatchSize ?? 20,
        maxURLLength: 2_000,
        headers: () => {
          const session = sessions.read();
          return session ? { authorization: `Bearer ${session.accessToken}` } : {};
        },
      }),
    ],
  });

  let loginInFlight: Promise<LoginAnswer> | null = null;
  function login(): Promise<LoginAnswer> {
    loginInFlight ??= (async () => {
      const logoutsAtStart = logouts;
      try {
        const code = await wxLogin(options.wx, timeoutMs);
        const answer = await api.auth.wechatLogin.mutate({ code });
        save(answer, logoutsAtStart);
        return answer;
      } finally {
        loginInFlight = null;
      }
    })();
    return loginInFlight;
  }

  return {
    api,
    login,
    async logout() {
      logouts += 1;
      const session = sessions.read();
      sessions.forget();
      if (!session?.refreshToken) return;
      // The refresh token proves the session even when the access token has
      // expired; an unreachable server leaves the session to expire there.
      await api.auth.logout.mutate({ refreshToken: session.refreshToken }).catch(() => undefined);
    },
    isLoggedIn() {
      const session = sessions.read();
      return session !== null && session.expiresAtOnDevice > Date.now();
    },
  };
}
