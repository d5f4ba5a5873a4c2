import { randomBytes } from 'node:crypto';
import { fail, parseJsonObject, type Answer } from '../answers.js';
import type { Authorize, SimulatedEndpointDefinition, SimulatorContext } from '../endpoint.js';
import { FaultQueue } from '../faults.js';

export interface StableTokenOptions {
  /** Lifetime of a token. */
  tokenTtlMs: number;
  /** The next token is handed out this long before the current one expires (both valid meanwhile). */
  tokenOverlapMs: number;
}

interface IssuedToken {
  appid: string;
  expiresAt: number;
  revoked: boolean;
}

interface AppTokens {
  current: string | null;
  lastForcedAt: number | null;
  forcedDay: string;
  forcedToday: number;
  forcedTotal: number;
}

/** WeChat allows 20 force refreshes a day, at least 30 s apart (closer ones do not refresh). */
const FORCE_REFRESHES_PER_DAY = 20;
const FORCE_REFRESH_SPACING_MS = 30_000;

/**
 * POST /cgi-bin/stable_token (获取稳定版接口调用凭据): the app's access
 * token, the same one for every caller until the overlap before it
 * expires; force_refresh replaces it at once (20 a day, 30 s apart). Owns
 * the tokens, so `authorize` (every other endpoint's access_token check) is
 * here too.
 */
export function createStableToken(context: SimulatorContext, options: StableTokenOptions) {
  const { apps, now } = context;
  const tokens = new Map<string, IssuedToken>();
  const appTokens = new Map<string, AppTokens>();
  let tokenSequence = 0;

  const tokensOf = (appid: string): AppTokens => {
    let state = appTokens.get(appid);
    if (!state) {
      state = { current: null, lastForcedAt: null, forcedDay: '', forcedToday: 0, forcedTotal: 0 };
      appTokens.set(appid, state);
    }
    return state;
  };

  const mintToken = (appid: string, state: AppTokens) => {
    tokenSequence += 1;
    const token = `${tokenSequence}_${randomBytes(96).toString('base64url')}`;
    tokens.set(token, { appid, expiresAt: now() + options.tokenTtlMs, revoked: false });
    state.current = token;
    return token;
  };

  const tokenAnswer = (token: string): Answer => ({
    access_token: token,
    expires_in: Math.max(0, Math.ceil(((tokens.get(token)?.expiresAt ?? 0) - now()) / 1000)),
  });

  const answer = (method: string, body: string): Answer => {
    if (method !== 'POST') return fail(43002);
    const request = parseJsonObject(body);
    if (!request) return fail(47001);
    const { grant_type: grantType, appid, secret, force_refresh: forceRefresh } = request;
    if (typeof appid !== 'string' || !appid) return fail(41002);
    if (typeof secret !== 'string' || !secret) return fail(41004);
    if (grantType !== 'client_credential') return fail(40002);
    const app = apps.get(appid);
    if (!app || (app.platform ?? 'wechat') !== 'wechat') return fail(40013);
    if (app.secret !== secret) return fail(40125);
    if (forceRefresh !== undefined && typeof forceRefresh !== 'boolean') return fail(47001);

    const state = tokensOf(appid);
    const current = state.current ? tokens.get(state.current) : undefined;
    const currentUsable = current && !current.revoked && now() < current.expiresAt;
    if (forceRefresh === true) {
      const day = new Date(now()).toISOString().slice(0, 10);
      if (state.forcedDay !== day) {
        state.forcedDay = day;
        state.forcedToday = 0;
      }
      // Closer than 30 s to the last force refresh: WeChat does not refresh again.
      const tooSoon = state.lastForcedAt !== null && now() - state.lastForcedAt < FORCE_REFRESH_SPACING_MS;
      if (!tooSoon || !currentUsable) {
        if (state.forcedToday >= FORCE_REFRESHES_PER_DAY) return fail(45009);
        state.forcedToday += 1;
        state.forcedTotal += 1;
        state.lastForcedAt = now();
        // Force refresh invalidates the previous token at once (WeChat: 会导致上次获取的 access_token 失效).
        if (current) current.revoked = true;
        return tokenAnswer(mintToken(appid, state));
      }
      return tokenAnswer(state.current as string);
    }
    // Normal mode: the same token while it has more than the overlap left;
    // within the overlap a new one, the previous staying valid until it expires.
    if (currentUsable && current.expiresAt - now() > options.tokenOverlapMs) return tokenAnswer(state.current as string);
    return tokenAnswer(mintToken(appid, state));
  };

  const authorize: Authorize = (query) => {
    const token = query.get('access_token');
    if (!token) return fail(41001);
    if (!/^[A-Za-z0-9_-]{16,512}$/.test(token)) return fail(40014);
    const issued = tokens.get(token);
    if (!issued || issued.revoked) return fail(40001);
    if (now() >= issued.expiresAt) return fail(42001);
    return issued.appid;
  };

  const endpoint: SimulatedEndpointDefinition = {
    name: 'stable_token',
    path: '/cgi-bin/stable_token',
    faults: new FaultQueue(),
    answer: ({ method, body }) => answer(method, body),
  };

  return {
    endpoint,
    authorize,
    /** The app's current token, or null before any. */
    currentAccessToken: (appid: string): string | null => appTokens.get(appid)?.current ?? null,
    /** Invalidates every token of the app: calls get 40001. */
    revokeAccessTokens(appid: string): void {
      for (const issued of tokens.values()) if (issued.appid === appid) issued.revoked = true;
    },
    /** Force refreshes so far, for one app or all. */
    forceRefreshCount(appid?: string): number {
      if (appid) return appTokens.get(appid)?.forcedTotal ?? 0;
      let total = 0;
      for (const state of appTokens.values()) total += state.forcedTotal;
      return total;
    },
  };
}
