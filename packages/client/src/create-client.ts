import type { AppRouter, LoginAnswer } from '@minigate/api';
import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client';
import type { MinigameWx } from './minigame-wx.js';
import { renewSessionLink } from './renew-session-link.js';
import { createSessionStore } from './session-store.js';
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
  /** wx.requests the client keeps in flight (wx allows 10 for the whole game); default 8. */
  maxRequestsInFlight?: number;
}

export interface MinigateClient {
  /** The typed API: `await api.account.me.query()`. */
  api: TRPCClient<AppRouter>;
  /**
   * wx.login → auth.wechatLogin; keeps the token in wx storage. Concurrent
   * calls share one login. Calls refused for an expired or invalid token
   * log in again by themselves, once.
   */
  login(): Promise<LoginAnswer>;
  /** Forgets the session kept in wx storage. */
  logout(): Promise<void>;
  /** Whether a session is kept and its token has not yet expired (counted from expiresIn, not the server's clock). */
  isLoggedIn(): boolean;
}

function wxLogin(wx: MinigameWx): Promise<string> {
  return new Promise((resolve, reject) => {
    wx.login({
      success: (result) => resolve(result.code),
      fail: (error) => reject(new Error(`wx.login failed: ${error.errMsg}`)),
    });
  });
}

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
  const api = createTRPCClient<AppRouter>({
    links: [
      renewSessionLink(() => login()),
      httpBatchLink({
        url: options.url,
        fetch: createWxFetch(options.wx, {
          timeoutMs: options.timeoutMs ?? 15_000,
          maxInFlight: options.maxRequestsInFlight ?? 8,
        }) as unknown as typeof fetch,
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
      try {
        const code = await wxLogin(options.wx);
        const answer = await api.auth.wechatLogin.mutate({ code });
        sessions.save({ accessToken: answer.accessToken, expiresAtOnDevice: Date.now() + answer.expiresIn * 1000 });
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
      sessions.forget();
    },
    isLoggedIn() {
      const session = sessions.read();
      return session !== null && session.expiresAtOnDevice > Date.now();
    },
  };
}
