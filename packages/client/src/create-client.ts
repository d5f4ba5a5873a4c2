import type { AppRouter, LoginAnswer } from '@minigate/api';
import type { TRPCClient } from '@trpc/client';
import { httpBatchLink } from '@trpc/client/links/httpBatchLink';
import { splitLink } from '@trpc/client/links/splitLink';
import type { MinigameRuntime } from './minigame-wx.js';
import { createPayments, type DeliveryWaitOptions, type Payments } from './payments.js';
import { createProxyClient } from './proxy-client.js';
import { appidOf, findRuntime, runtimeName, type RuntimeName } from './runtime.js';
import { reasonOf, sessionLink } from './session-link.js';
import { createSessionStore, type StoredSession } from './session-store.js';
import { CLIENT_VERSION } from './version.js';
import { createWxFetch } from './wx-fetch.js';

export interface ClientOptions {
  /** The tRPC endpoint, e.g. `https://api.example.com/trpc`. */
  url: string;
  /**
   * The runtime: WeChat's `wx`, Douyin's `tt` or QQ's `qq` (typed by
   * minigame-api-typings or @douyin-microapp/typings: no cast needed).
   * Default: the global the game runs on (tt, then qq, then wx).
   */
  runtime?: MinigameRuntime;
  /** The same as `runtime`, by the name clients before 0.2 gave it: `createClient({ url, wx })`. */
  wx?: MinigameRuntime;
  /**
   * The game's appid, which picks the game (and so the platform) on the
   * server. Default: what the runtime says (wx/qq.getAccountInfoSync(),
   * tt.getEnvInfoSync()). With an appid the client logs in with auth.login;
   * without one (a WeChat base library before 2.2.2), with auth.wechatLogin,
   * as clients before 0.2 did.
   */
  appid?: string;
  /**
   * Log in (wx.login → auth.login) by itself before the first call
   * that needs a session when none is kept; default true. With false, such
   * a call fails with TOKEN_MISSING and the game calls login() itself.
   */
  autoLogin?: boolean;
  /** The storage key that holds the session; default `minigate.session`. */
  storageKey?: string;
  /** Milliseconds for each HTTP request and each wx.login (tt.login, qq.login); default 15000 (wx's own default is 60 s). */
  timeoutMs?: number;
  /** Calls per batched request, 1 to 50 (the server's default MAX_BATCH_SIZE); default 20. */
  maxBatchSize?: number;
  /** wx.requests the client keeps in flight, 1 to 10 (wx allows 10 for the whole game); default 8. */
  maxRequestsInFlight?: number;
  /** How `payments.buyItem` waits for the delivery: at once, then 1 s doubling to 5 s apart, 60 s in all by default. */
  payments?: DeliveryWaitOptions;
}

/** What a login answers: on Douyin, `guestAccountId` is the guest account a login with a code left apart (see docs/client.md). */
export type LoginResult = LoginAnswer & { guestAccountId?: number };

export interface LoginOptions {
  /**
   * Douyin only: when the player is not logged in to Douyin, show Douyin's
   * login dialog (tt.login's force), so that the guest becomes a Douyin
   * player. Default false: a player not logged in to Douyin plays as a guest.
   */
  force?: boolean;
}

export interface MinigateClient {
  /** The typed API: `await api.account.me.query()`. */
  api: TRPCClient<AppRouter>;
  /**
   * wx.login (tt.login, qq.login) → auth.login; keeps the tokens in the
   * runtime's storage. Concurrent calls share one login. Calls refused for
   * an expired, invalid or revoked token renew the session by themselves
   * (auth.refresh, else a silent login), once, and are retried.
   */
  login(options?: LoginOptions): Promise<LoginResult>;
  /**
   * Forgets the session kept in wx storage at once, then ends it on the
   * server (auth.logout); never fails. The client then no longer logs in by
   * itself until the game calls login().
   */
  logout(): Promise<void>;
  /** Whether a session is kept and its token has not yet expired (counted from expiresIn, not the server's clock). */
  isLoggedIn(): boolean;
  /** WeChat's virtual payment: `await client.payments.buyItem({ productId: 'gem60', quantity: 1 })` (see docs/client.md). */
  readonly payments: Payments;
  /** The runtime the client runs on. */
  readonly runtime: RuntimeName;
  /** The game's appid the client logs in with, or null (then auth.wechatLogin, WeChat only). */
  readonly appid: string | null;
}

interface LoginCodes {
  code?: string;
  anonymousCode?: string;
}

/**
 * wx.login (tt.login, qq.login) as a promise of the codes it gave; rejects
 * after `timeoutMs` too, so a login that never calls back cannot block later
 * ones. tt.login gets `force` (false: no Douyin login dialog, a guest's
 * anonymousCode alone when the player is not logged in to Douyin).
 */
function runtimeLogin(runtime: MinigameRuntime, name: RuntimeName, timeoutMs: number, force: boolean): Promise<LoginCodes> {
  return new Promise((resolve, reject) => {
    const failed = (why: string) => reject(new Error(`${name}.login failed: ${why}`));
    const timer = setTimeout(() => failed(`no answer within ${timeoutMs} ms`), timeoutMs);
    runtime.login({
      ...(name === 'tt' ? { force } : {}),
      timeout: timeoutMs,
      success: (result) => {
        clearTimeout(timer);
        const codes: LoginCodes = {};
        if (result.code) codes.code = result.code;
        if (result.anonymousCode) codes.anonymousCode = result.anonymousCode;
        if (codes.code || codes.anonymousCode) resolve(codes);
        else failed('no code');
      },
      fail: (error) => {
        clearTimeout(timer);
        failed(error?.errMsg ?? 'no reason given');
      },
    });
  });
}

/** Answers after which neither a refresh nor a new login would help: the player is banned, blocked, the account is gone, the game not served. */
const FINAL_REASONS = new Set(['ACCOUNT_DISABLED', 'ACCOUNT_DELETED', 'WECHAT_USER_BLOCKED', 'APP_UNKNOWN']);

/** wx.request allows 10 requests in flight for the whole game. */
const WX_MAX_REQUESTS = 10;
/** The server's default MAX_BATCH_SIZE: a bigger batch is refused with BATCH_TOO_LARGE. */
const SERVER_MAX_BATCH = 50;

const clamp = (value: number | undefined, fallback: number, most: number) => Math.min(most, Math.max(1, Math.floor(value ?? fallback) || 1));

/**
 * The minigate client for a mini-game on WeChat (wx), Douyin (tt) or QQ (qq).
 * @example
 * const { createClient } = require('./minigate.js');
 * const { api } = createClient({ url: 'https://api.example.com/trpc' });
 * const me = await api.account.me.query(); // logs in first (wx.login, tt.login, qq.login) when there is no session
 */
export function createClient(options: ClientOptions): MinigateClient {
  const runtime = options.runtime ?? options.wx ?? findRuntime();
  const name = runtimeName(runtime);
  const appid = options.appid ?? appidOf(runtime);
  const sessions = createSessionStore(runtime, options.storageKey ?? 'minigate.session');
  const timeoutMs = options.timeoutMs ?? 15_000;
  const currentToken = () => sessions.read()?.accessToken ?? null;
  // Bumped by logout() and by the end of a session: a login or refresh that was under way then must not save its session.
  let logouts = 0;
  // autoLogin, until logout(), the end of the session or a final refusal; login() turns it back on.
  let autoLogin = options.autoLogin !== false;
  const save = (answer: LoginResult, logoutsAtStart: number) => {
    if (logouts !== logoutsAtStart) return;
    const session: StoredSession = { accessToken: answer.accessToken, expiresAtOnDevice: Date.now() + answer.expiresIn * 1000 };
    sessions.save(answer.refreshToken ? { ...session, refreshToken: answer.refreshToken } : session);
  };
  const endSession = () => {
    logouts += 1;
    autoLogin = false;
    sessions.forget();
  };

  let loginInFlight: Promise<LoginResult> | null = null;
  let logins = 0;
  /**
   * wx.login → auth.login (auth.wechatLogin on WeChat without an appid),
   * single-flight; a forced login (the Douyin dialog) does not join a silent
   * one under way, which may bring a guest.
   */
  function signIn(force = false): Promise<LoginResult> {
    if (loginInFlight && !force) return loginInFlight;
    const thisLogin = ++logins;
    loginInFlight = (async () => {
      const logoutsAtStart = logouts;
      try {
        // (Rejected, not thrown: this function must reach an await before its finally runs.)
        const codes = await (appid || name === 'wx'
          ? runtimeLogin(runtime, name, timeoutMs, force)
          : Promise.reject(new Error(`${name}.login: no appid found: pass createClient({ appid })`)));
        const answer: LoginResult = appid
          ? await api.auth.login.mutate({ appid, ...codes })
          : await api.auth.wechatLogin.mutate({ code: codes.code ?? '' });
        save(answer, logoutsAtStart);
        return answer;
      } catch (error) {
        if (FINAL_REASONS.has(reasonOf(error) ?? '')) autoLogin = false;
        throw error;
      } finally {
        if (logins === thisLogin) loginInFlight = null;
      }
    })();
    return loginInFlight;
  }

  let renewalInFlight: Promise<void> | null = null;
  /** auth.refresh with the kept refresh token; when that fails (but for a ban or deletion), a silent login. */
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
        if (logouts === logoutsAtStart) await signIn();
      } finally {
        renewalInFlight = null;
      }
    })();
    return renewalInFlight;
  }

  const fetch = createWxFetch(runtime, { timeoutMs, maxInFlight: clamp(options.maxRequestsInFlight, 8, WX_MAX_REQUESTS) });
  const transport = (maxItems: number) =>
    httpBatchLink<AppRouter>({
      url: options.url,
      fetch: fetch as unknown as typeof globalThis.fetch,
      maxItems,
      // Queries carry their input in the URL: a longer batch is split.
      maxURLLength: 2_000,
      headers: () => {
        const token = currentToken();
        return token ? { 'x-minigate-client': CLIENT_VERSION, authorization: `Bearer ${token}` } : { 'x-minigate-client': CLIENT_VERSION };
      },
    });

  const api = createProxyClient<AppRouter>([
    sessionLink({
      currentToken,
      ensureSession: async () => {
        if (autoLogin) await signIn();
      },
      async renew(staleToken) {
        // Another call already replaced the stale token: just retry.
        if (currentToken() !== staleToken) return true;
        try {
          await renewSession();
          return true;
        } catch (error) {
          // Stop every later call from meeting the same stale token and
          // renewing again: they log in afresh (autoLogin) or get TOKEN_MISSING.
          if (currentToken() === staleToken) sessions.forget();
          throw error;
        }
      },
      async relogin(staleToken) {
        if (currentToken() === staleToken) await signIn();
        return true;
      },
      sessionEnded: endSession,
    }),
    // A login or a refresh travels alone: never held up by, or batched with, the game's calls.
    splitLink({
      condition: (op) => op.path === 'auth.login' || op.path === 'auth.wechatLogin' || op.path === 'auth.refresh',
      true: transport(1),
      false: transport(clamp(options.maxBatchSize, 20, SERVER_MAX_BATCH)),
    }),
  ]);

  return {
    api,
    login(loginOptions) {
      autoLogin = options.autoLogin !== false;
      return signIn(loginOptions?.force === true);
    },
    async logout() {
      const session = sessions.read();
      endSession();
      if (!session?.refreshToken) return;
      // The refresh token proves the session even when the access token has
      // expired; an unreachable server leaves the session to expire there.
      await api.auth.logout.mutate({ refreshToken: session.refreshToken }).catch(() => undefined);
    },
    isLoggedIn() {
      const session = sessions.read();
      return session !== null && session.expiresAtOnDevice > Date.now();
    },
    payments: createPayments({ api, runtime, name, relogin: () => signIn(), wait: options.payments }),
    runtime: name,
    appid,
  };
}
