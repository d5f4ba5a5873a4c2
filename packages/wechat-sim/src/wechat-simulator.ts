import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SimulatedApp {
  appid: string;
  secret: string;
  /**
   * Set when the app is bound to a WeChat open platform account: its players
   * then get a unionid, the same across apps of that platform.
   */
  openPlatform?: string;
}

/** A content rule of msg_sec_check: content containing `word` (case-insensitive) gets `suggest`. */
export interface SimulatedContentRule {
  word: string;
  suggest: 'risky' | 'review';
  /** WeChat's label, e.g. 20001 politics, 20002 porn, 20003 abuse, 20006 crime, 20008 fraud, 21000 other (the default). */
  label?: number;
}

export interface WeChatSimulatorOptions {
  apps: SimulatedApp[];
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** How long a wx.login code or a phone code stays valid; WeChat's is 5 minutes. */
  codeTtlMs?: number;
  /** jscode2session calls allowed per player per minute; WeChat's is 100. */
  callsPerPlayerPerMinute?: number;
  /** The clock, for tests that let codes and tokens expire. */
  now?: () => number;
  /** Lifetime of a stable access token; WeChat's is 7200 s. */
  accessTokenTtlSeconds?: number;
  /**
   * WeChat hands out the next token this long before the current one
   * expires, and the current one stays valid until then (both are valid
   * meanwhile); WeChat's is 300 s.
   */
  accessTokenOverlapSeconds?: number;
  /** The word list of msg_sec_check. */
  contentRules?: SimulatedContentRule[];
  /** msg_sec_check answers 61010 for a player who has not logged in for this long; WeChat's is about two hours. */
  recentVisitMs?: number;
  /** Total bytes of keys and values one player may keep in user storage before 87017; default 128 × 1024. */
  userStorageMaxBytes?: number;
  /** When a player's session_key changes; default 'every-login'. */
  sessionKeyRotation?: SessionKeyRotation;
}

/**
 * 'every-login': each jscode2session hands out a new session_key (the
 * strictest case). 'on-demand': a login keeps the player's current key, as
 * WeChat does within its minimum refresh period, and only rotateSessionKey
 * changes it (a wx.login whose code never reached the server).
 */
export type SessionKeyRotation = 'every-login' | 'on-demand';

/** The WeChat server endpoints the simulator plays. */
export type SimulatedEndpoint =
  'jscode2session' | 'stable_token' | 'getuserphonenumber' | 'checksession' | 'set_user_storage' | 'remove_user_storage' | 'msg_sec_check';

export const SIMULATED_ENDPOINTS: readonly SimulatedEndpoint[] = [
  'jscode2session',
  'stable_token',
  'getuserphonenumber',
  'checksession',
  'set_user_storage',
  'remove_user_storage',
  'msg_sec_check',
];

/**
 * A fault WeChat may answer with. `endpoint` says which call it hits;
 * without one it hits jscode2session (as before there were others).
 */
export type SimulatedFault =
  | { kind: 'errcode'; errcode: number; errmsg?: string; endpoint?: SimulatedEndpoint }
  /** Does the work, then answers after this many milliseconds (a slow WeChat: a code is consumed all the same). */
  | { kind: 'delay'; ms: number; endpoint?: SimulatedEndpoint }
  /** An HTTP error page instead of JSON (a broken gateway). */
  | { kind: 'http'; status: number; body: string; endpoint?: SimulatedEndpoint }
  /** Never answers and does nothing: the caller's timeout fires. */
  | { kind: 'timeout'; endpoint?: SimulatedEndpoint }
  /** Drops the connection without an answer (ECONNRESET / socket hang up). */
  | { kind: 'reset'; endpoint?: SimulatedEndpoint };

/** The profile fields of wx.getUserInfo's userInfo. */
export interface SimulatedProfile {
  nickName: string;
  avatarUrl: string;
  /** 0 unknown, 1 male, 2 female. */
  gender: number;
  country: string;
  province: string;
  city: string;
  language: string;
}

/** What wx.getUserInfo (or a user info button) hands the game. */
export interface SimulatedUserInfo {
  userInfo: SimulatedProfile;
  /** JSON of userInfo, as signed. */
  rawData: string;
  /** sha1(rawData + session_key). */
  signature: string;
  /** AES-128-CBC of the full user info (openId, unionId, watermark) with the player's current session_key. */
  encryptedData: string;
  iv: string;
}

export interface SimulatedPhone {
  /** With the country code for numbers outside China, e.g. "+1 2025550123"; else the same as purePhoneNumber. */
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}

/** One request the simulator received (secrets included: it is a test double). */
export interface SimulatedRequest {
  endpoint: SimulatedEndpoint;
  method: string;
  query: Record<string, string>;
  /** The raw body, as received. */
  body: string;
  at: number;
}

export interface WeChatSimulator {
  /** Base URL, to use as WECHAT_API_BASE. */
  readonly url: string;
  /** Issues a wx.login code for a simulated player of an app (what wx.login gives the game). */
  issueCode(appid: string, player: string): string;
  /** The openid WeChat gives this player in this app. */
  openidFor(appid: string, player: string): string;
  /** The session_key of the player's latest login, or null before any. Every login rotates it. */
  sessionKeyFor(appid: string, player: string): string | null;
  /** Queues a fault for the next `times` calls of its endpoint (jscode2session when it names none). */
  injectFault(fault: SimulatedFault, times?: number): void;
  /** Switches a standing fault on for every call of an endpoint (after the queued ones), or off with null. */
  setFault(endpoint: SimulatedEndpoint, fault: SimulatedFault | null): void;
  /** Drops every queued and standing fault. */
  clearFaults(): void;
  /** false closes the port (callers get ECONNREFUSED) and drops open connections; true listens on the same port again. */
  setReachable(reachable: boolean): Promise<void>;
  /** Marks a player as high-risk: WeChat answers 40226. */
  blockPlayer(appid: string, player: string): void;
  /** jscode2session calls received so far. */
  readonly code2sessionCalls: number;
  /** Calls of an endpoint received so far, faulted ones included. */
  callCount(endpoint: SimulatedEndpoint): number;
  /** stable_token calls with force_refresh: true so far (for one app, or all). */
  forceRefreshCount(appid?: string): number;
  /** The latest requests (up to 1000), oldest first. */
  readonly requestLog: readonly SimulatedRequest[];
  /** The app's current stable access token, or null before any. */
  currentAccessToken(appid: string): string | null;
  /** Invalidates every access token of an app, as if an operator force-refreshed it elsewhere: calls get 40001. */
  revokeAccessTokens(appid: string): void;
  /** Mints a single-use phone code (what the phone number button gives the game), valid as long as a login code. */
  issuePhoneCode(appid: string, player: string, phone: string | SimulatedPhone): string;
  /** Sets what wx.getUserInfo reports for this player (merged over the default). */
  setUserProfile(appid: string, player: string, profile: Partial<SimulatedProfile>): void;
  /**
   * User info for the player encrypted with the player's CURRENT session_key
   * and a watermark of now (or `timestamp`, epoch seconds). Throws when the
   * player has never logged in.
   */
  userInfoFor(appid: string, player: string, profile?: Partial<SimulatedProfile>, options?: { timestamp?: number }): SimulatedUserInfo;
  /** What set_user_storage keeps for the player (a copy). */
  userStorage(appid: string, player: string): Record<string, string>;
  /** Replaces msg_sec_check's word list. */
  setContentRules(rules: SimulatedContentRule[]): void;
  /** Switches how logins treat the session_key (see SessionKeyRotation). */
  setSessionKeyRotation(rotation: SessionKeyRotation): void;
  /** Gives the player a new session_key at WeChat, as a wx.login whose code the server never saw would; returns it. */
  rotateSessionKey(appid: string, player: string): string;
  close(): Promise<void>;
}

interface IssuedCode {
  appid: string;
  player: string;
  issuedAt: number;
  used: boolean;
}

interface IssuedPhoneCode extends IssuedCode {
  phone: SimulatedPhone;
}

interface Session {
  sessionKey: string;
  issuedAt: number;
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

type Answer = Record<string, unknown>;

const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** WeChat allows 20 force refreshes a day, at least 30 s apart (closer ones do not refresh). */
const FORCE_REFRESHES_PER_DAY = 20;
const FORCE_REFRESH_SPACING_MS = 30_000;
const USER_STORAGE_MAX_PAIRS = 128;
const USER_STORAGE_MAX_KEY_BYTES = 128;
const USER_STORAGE_MAX_PAIR_BYTES = 1024;
const MAX_BODY_BYTES = 1024 * 1024;
const REQUEST_LOG_SIZE = 1000;

function newCode(): string {
  const bytes = randomBytes(32);
  let code = '';
  for (const byte of bytes) code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
  return code;
}

function stableId(prefix: string, ...parts: string[]): string {
  return prefix + createHash('sha256').update(parts.join('\0')).digest('base64url').slice(0, 27);
}

const ERRMSGS: Record<number, string> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40013: 'invalid appid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40125: 'invalid appsecret',
  40163: 'code been used',
  40226: 'invalid code, high risk user',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  41008: 'missing code',
  42001: 'access_token expired',
  43002: 'require POST method',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit  mustslower  retry next minute',
  47001: 'data format error',
  61010: 'code is expired',
  87009: 'invalid signature',
  87014: 'risky content',
  87016: 'invalid key-value: length of key+value exceeds limit',
  87017: 'user storage size exceeds limit',
  87018: 'user storage key-value count exceeds limit',
  87019: 'invalid key: length of key exceeds limit',
};

function errmsgOf(errcode: number): string {
  const rid = randomBytes(6).toString('hex');
  return `${ERRMSGS[errcode] ?? 'unknown error'}, rid: ${rid}`;
}

const fail = (errcode: number): Answer => ({ errcode, errmsg: errmsgOf(errcode) });
const ok = (fields: Answer = {}): Answer => ({ errcode: 0, errmsg: 'ok', ...fields });

function routeOf(method: string, pathname: string): SimulatedEndpoint | null {
  switch (pathname) {
    case '/sns/jscode2session':
      return method === 'GET' ? 'jscode2session' : null;
    case '/cgi-bin/stable_token':
      return 'stable_token';
    case '/wxa/business/getuserphonenumber':
      return 'getuserphonenumber';
    case '/wxa/checksession':
      return 'checksession';
    case '/wxa/set_user_storage':
      return 'set_user_storage';
    case '/wxa/remove_user_storage':
      return 'remove_user_storage';
    case '/wxa/msg_sec_check':
      return 'msg_sec_check';
    default:
      return null;
  }
}

function parseJsonObject(body: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

/**
 * Stands in for WeChat's servers in development and tests: jscode2session,
 * stable_token, getuserphonenumber, checksession, set/remove_user_storage and
 * msg_sec_check behave like WeChat's, errors included; every endpoint takes
 * injected faults. /sim/login issues the codes that wx.login would give a
 * named player, /sim/userinfo what wx.getUserInfo would give it.
 */
export async function startWeChatSimulator(options: WeChatSimulatorOptions): Promise<WeChatSimulator> {
  const apps = new Map(options.apps.map((app) => [app.appid, app]));
  const codeTtlMs = options.codeTtlMs ?? 5 * 60_000;
  const callsPerMinute = options.callsPerPlayerPerMinute ?? 100;
  const now = options.now ?? Date.now;
  const tokenTtlMs = (options.accessTokenTtlSeconds ?? 7200) * 1000;
  const tokenOverlapMs = Math.min((options.accessTokenOverlapSeconds ?? 300) * 1000, tokenTtlMs);
  const recentVisitMs = options.recentVisitMs ?? 2 * 3600_000;
  const userStorageMaxBytes = options.userStorageMaxBytes ?? USER_STORAGE_MAX_PAIRS * USER_STORAGE_MAX_PAIR_BYTES;
  let contentRules = [...(options.contentRules ?? [])];
  let sessionKeyRotation: SessionKeyRotation = options.sessionKeyRotation ?? 'every-login';

  const codes = new Map<string, IssuedCode>();
  const phoneCodes = new Map<string, IssuedPhoneCode>();
  const sessions = new Map<string, Session>();
  const playersByOpenid = new Map<string, string>();
  const profiles = new Map<string, Partial<SimulatedProfile>>();
  const storages = new Map<string, Map<string, string>>();
  const tokens = new Map<string, IssuedToken>();
  const appTokens = new Map<string, AppTokens>();
  const queuedFaults = new Map<SimulatedEndpoint, SimulatedFault[]>();
  const standingFaults = new Map<SimulatedEndpoint, SimulatedFault>();
  const blocked = new Set<string>();
  const callWindows = new Map<string, { startedAt: number; calls: number }>();
  const calls = new Map<SimulatedEndpoint, number>();
  const requestLog: SimulatedRequest[] = [];
  let tokenSequence = 0;

  const playerKey = (appid: string, player: string) => `${appid}\0${player}`;

  const openidFor = (appid: string, player: string) => {
    const openid = stableId('o', appid, player);
    playersByOpenid.set(`${appid}\0${openid}`, player);
    return openid;
  };
  const playerOf = (appid: string, openid: string | null) => (openid ? playersByOpenid.get(`${appid}\0${openid}`) : undefined);

  // A sweep once a map has doubled since the last one: amortised O(1) a code, also with
  // tens of thousands of live codes (a load test), where a sweep on every issue is quadratic.
  const sweepAbove = new Map<Map<string, { issuedAt: number }>, number>();
  const forgetExpired = <T extends { issuedAt: number }>(map: Map<string, T>) => {
    if (map.size <= (sweepAbove.get(map) ?? 10_000)) return;
    const at = now();
    for (const [code, issued] of map) if (at - issued.issuedAt > codeTtlMs) map.delete(code);
    sweepAbove.set(map, Math.max(10_000, 2 * map.size));
  };

  const issueCode = (appid: string, player: string) => {
    // Forget codes long expired so a long dev session does not grow the map.
    forgetExpired(codes);
    const code = newCode();
    codes.set(code, { appid, player, issuedAt: now(), used: false });
    return code;
  };

  const overQuota = (appid: string, player: string) => {
    const key = playerKey(appid, player);
    const window = callWindows.get(key);
    if (!window || now() - window.startedAt >= 60_000) {
      callWindows.set(key, { startedAt: now(), calls: 1 });
      return false;
    }
    window.calls += 1;
    return window.calls > callsPerMinute;
  };

  const jscode2session = (query: URLSearchParams): Answer => {
    const appid = query.get('appid');
    const secret = query.get('secret');
    const jsCode = query.get('js_code');
    if (!appid) return fail(41002);
    if (!secret) return fail(41004);
    if (!jsCode) return fail(41008);
    const app = apps.get(appid);
    if (!app) return fail(40013);
    if (app.secret !== secret) return fail(40125);
    const issued = codes.get(jsCode);
    if (!issued || issued.appid !== appid || now() - issued.issuedAt > codeTtlMs) return fail(40029);
    if (issued.used) return fail(40163);
    if (overQuota(appid, issued.player)) return fail(45011);
    issued.used = true;
    if (blocked.has(playerKey(appid, issued.player))) return fail(40226);
    // WeChat's refresh has a minimum period: in 'on-demand' mode a login keeps the player's key.
    const kept = sessionKeyRotation === 'on-demand' ? sessions.get(playerKey(appid, issued.player))?.sessionKey : undefined;
    const sessionKey = kept ?? randomBytes(16).toString('base64');
    sessions.set(playerKey(appid, issued.player), { sessionKey, issuedAt: now() });
    const answer: Answer = { openid: openidFor(appid, issued.player), session_key: sessionKey };
    if (app.openPlatform) answer.unionid = stableId('u', app.openPlatform, issued.player);
    return answer;
  };

  // --- access tokens ---------------------------------------------------------

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
    tokens.set(token, { appid, expiresAt: now() + tokenTtlMs, revoked: false });
    state.current = token;
    return token;
  };

  const tokenAnswer = (token: string): Answer => ({
    access_token: token,
    expires_in: Math.max(0, Math.ceil(((tokens.get(token)?.expiresAt ?? 0) - now()) / 1000)),
  });

  const stableToken = (method: string, body: string): Answer => {
    if (method !== 'POST') return fail(43002);
    const request = parseJsonObject(body);
    if (!request) return fail(47001);
    const { grant_type: grantType, appid, secret, force_refresh: forceRefresh } = request;
    if (typeof appid !== 'string' || !appid) return fail(41002);
    if (typeof secret !== 'string' || !secret) return fail(41004);
    if (grantType !== 'client_credential') return fail(40002);
    const app = apps.get(appid);
    if (!app) return fail(40013);
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
    if (currentUsable && current.expiresAt - now() > tokenOverlapMs) return tokenAnswer(state.current as string);
    return tokenAnswer(mintToken(appid, state));
  };

  /** The appid the query's access_token belongs to, or WeChat's errcode answer for it. */
  const authorize = (query: URLSearchParams): string | Answer => {
    const token = query.get('access_token');
    if (!token) return fail(41001);
    if (!/^[A-Za-z0-9_-]{16,512}$/.test(token)) return fail(40014);
    const issued = tokens.get(token);
    if (!issued || issued.revoked) return fail(40001);
    if (now() >= issued.expiresAt) return fail(42001);
    return issued.appid;
  };

  // --- the player's session ----------------------------------------------------

  const hmac = (sessionKey: string, body: string) =>
    createHmac('sha256', Buffer.from(sessionKey, 'utf8')).update(Buffer.from(body, 'utf8')).digest('hex');

  /** The signed request's player, or WeChat's errcode: 40003 for an openid it does not know, 87009 for a bad signature. */
  const signedPlayer = (appid: string, query: URLSearchParams, body: string): string | Answer => {
    const player = playerOf(appid, query.get('openid'));
    if (player === undefined) return fail(40003);
    const session = sessions.get(playerKey(appid, player));
    if (!session || query.get('sig_method') !== 'hmac_sha256' || query.get('signature') !== hmac(session.sessionKey, body)) return fail(87009);
    return player;
  };

  const checkSession = (query: URLSearchParams): Answer => {
    const appid = authorize(query);
    if (typeof appid !== 'string') return appid;
    const player = signedPlayer(appid, query, '');
    return typeof player === 'string' ? ok() : player;
  };

  const storageOf = (appid: string, player: string) => {
    const key = playerKey(appid, player);
    let storage = storages.get(key);
    if (!storage) {
      storage = new Map();
      storages.set(key, storage);
    }
    return storage;
  };

  const setUserStorage = (method: string, query: URLSearchParams, body: string): Answer => {
    if (method !== 'POST') return fail(43002);
    const appid = authorize(query);
    if (typeof appid !== 'string') return appid;
    const player = signedPlayer(appid, query, body);
    if (typeof player !== 'string') return player;
    const kvList = parseJsonObject(body)?.kv_list;
    if (!Array.isArray(kvList) || kvList.length === 0) return fail(47001);
    const pairs: Array<[string, string]> = [];
    for (const item of kvList as unknown[]) {
      const { key, value } = (typeof item === 'object' && item !== null ? item : {}) as { key?: unknown; value?: unknown };
      if (typeof key !== 'string' || !key || typeof value !== 'string') return fail(47001);
      if (Buffer.byteLength(key) > USER_STORAGE_MAX_KEY_BYTES) return fail(87019);
      if (Buffer.byteLength(key) + Buffer.byteLength(value) > USER_STORAGE_MAX_PAIR_BYTES) return fail(87016);
      pairs.push([key, value]);
    }
    const merged = new Map(storageOf(appid, player));
    for (const [key, value] of pairs) merged.set(key, value);
    if (merged.size > USER_STORAGE_MAX_PAIRS) return fail(87018);
    let bytes = 0;
    for (const [key, value] of merged) bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
    if (bytes > userStorageMaxBytes) return fail(87017);
    storages.set(playerKey(appid, player), merged);
    return ok();
  };

  const removeUserStorage = (method: string, query: URLSearchParams, body: string): Answer => {
    if (method !== 'POST') return fail(43002);
    const appid = authorize(query);
    if (typeof appid !== 'string') return appid;
    const player = signedPlayer(appid, query, body);
    if (typeof player !== 'string') return player;
    const keys = parseJsonObject(body)?.key;
    if (!Array.isArray(keys) || keys.length === 0 || !keys.every((key) => typeof key === 'string')) return fail(47001);
    const storage = storageOf(appid, player);
    for (const key of keys as string[]) storage.delete(key);
    return ok();
  };

  // --- phone numbers -------------------------------------------------------------

  const issuePhoneCode = (appid: string, player: string, phone: string | SimulatedPhone) => {
    forgetExpired(phoneCodes);
    const code = randomBytes(32).toString('hex');
    const info = typeof phone === 'string' ? { phoneNumber: phone, purePhoneNumber: phone, countryCode: '86' } : { ...phone };
    phoneCodes.set(code, { appid, player, issuedAt: now(), used: false, phone: info });
    return code;
  };

  const getPhoneNumber = (method: string, query: URLSearchParams, body: string): Answer => {
    if (method !== 'POST') return fail(43002);
    const appid = authorize(query);
    if (typeof appid !== 'string') return appid;
    const request = parseJsonObject(body);
    if (!request) return fail(47001);
    if (typeof request.code !== 'string' || !request.code) return fail(41008);
    const issued = phoneCodes.get(request.code);
    if (!issued || issued.used || issued.appid !== appid || now() - issued.issuedAt > codeTtlMs) return fail(40029);
    issued.used = true;
    return ok({ phone_info: { ...issued.phone, watermark: { timestamp: Math.floor(now() / 1000), appid } } });
  };

  // --- content security -------------------------------------------------------------

  const verdictOf = (texts: string[]): { suggest: 'pass' | 'review' | 'risky'; label: number; keyword: string | null } => {
    const haystack = texts.join('\n').toLowerCase();
    const hits = contentRules.filter((rule) => rule.word && haystack.includes(rule.word.toLowerCase()));
    const hit = hits.find((rule) => rule.suggest === 'risky') ?? hits[0];
    return hit ? { suggest: hit.suggest, label: hit.label ?? 21000, keyword: hit.word } : { suggest: 'pass', label: 100, keyword: null };
  };

  const msgSecCheck = (method: string, query: URLSearchParams, body: string): Answer => {
    if (method !== 'POST') return fail(43002);
    const appid = authorize(query);
    if (typeof appid !== 'string') return appid;
    const request = parseJsonObject(body);
    if (!request || typeof request.content !== 'string') return fail(47001);
    const texts = [request.content, request.nickname, request.title, request.signature].filter((text): text is string => typeof text === 'string');
    const verdict = verdictOf(texts);
    if (request.version === undefined || request.version === 1) {
      // Version 1: an errcode for risky content, no result.
      return verdict.suggest === 'risky' ? fail(87014) : ok();
    }
    if (request.version !== 2) return fail(47001);
    if (typeof request.scene !== 'number' || ![1, 2, 3, 4].includes(request.scene)) return fail(47001);
    const player = playerOf(appid, typeof request.openid === 'string' ? request.openid : null);
    if (player === undefined) return fail(40003);
    const session = sessions.get(playerKey(appid, player));
    if (!session || now() - session.issuedAt > recentVisitMs) return fail(61010);
    const { suggest, label, keyword } = verdict;
    const detail: Answer[] = [{ strategy: 'content_model', errcode: 0, suggest, label, prob: suggest === 'pass' ? 0 : 90 }];
    if (keyword) detail.push({ strategy: 'keyword', errcode: 0, suggest, label, level: 20, keyword });
    return ok({ result: { suggest, label }, detail, trace_id: `${randomBytes(4).toString('hex')}-${randomBytes(4).toString('hex')}` });
  };

  // --- user info -------------------------------------------------------------------

  const profileOf = (appid: string, player: string, override?: Partial<SimulatedProfile>): SimulatedProfile => ({
    nickName: player,
    avatarUrl: `https://thirdwx.qlogo.cn/mmopen/vi_32/${stableId('', appid, player, 'avatar')}/132`,
    gender: 0,
    country: '',
    province: '',
    city: '',
    language: 'zh_CN',
    ...profiles.get(playerKey(appid, player)),
    ...override,
  });

  const userInfoFor = (appid: string, player: string, override?: Partial<SimulatedProfile>, infoOptions: { timestamp?: number } = {}) => {
    const app = apps.get(appid);
    if (!app) throw new Error(`unknown appid ${appid}`);
    const session = sessions.get(playerKey(appid, player));
    if (!session) throw new Error(`player ${player} has not logged in to ${appid}: no session_key to encrypt with`);
    const userInfo = profileOf(appid, player, override);
    const rawData = JSON.stringify({
      nickName: userInfo.nickName,
      gender: userInfo.gender,
      language: userInfo.language,
      city: userInfo.city,
      province: userInfo.province,
      country: userInfo.country,
      avatarUrl: userInfo.avatarUrl,
    });
    const full: Answer = { openId: openidFor(appid, player), ...(JSON.parse(rawData) as Answer) };
    if (app.openPlatform) full.unionId = stableId('u', app.openPlatform, player);
    full.watermark = { timestamp: infoOptions.timestamp ?? Math.floor(now() / 1000), appid };
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-128-cbc', Buffer.from(session.sessionKey, 'base64'), iv);
    const encryptedData = Buffer.concat([cipher.update(JSON.stringify(full), 'utf8'), cipher.final()]).toString('base64');
    return {
      userInfo,
      rawData,
      signature: createHash('sha1')
        .update(rawData + session.sessionKey, 'utf8')
        .digest('hex'),
      encryptedData,
      iv: iv.toString('base64'),
    };
  };

  // --- HTTP ------------------------------------------------------------------------

  const takeFault = (endpoint: SimulatedEndpoint): SimulatedFault | undefined => queuedFaults.get(endpoint)?.shift() ?? standingFaults.get(endpoint);

  const handle = (endpoint: SimulatedEndpoint, method: string, query: URLSearchParams, body: string): Answer => {
    switch (endpoint) {
      case 'jscode2session':
        return jscode2session(query);
      case 'stable_token':
        return stableToken(method, body);
      case 'getuserphonenumber':
        return getPhoneNumber(method, query, body);
      case 'checksession':
        return method === 'GET' ? checkSession(query) : fail(47001);
      case 'set_user_storage':
        return setUserStorage(method, query, body);
      case 'remove_user_storage':
        return removeUserStorage(method, query, body);
      case 'msg_sec_check':
        return msgSecCheck(method, query, body);
    }
  };

  const defaultAppid = options.apps[0]?.appid;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = req.method ?? 'GET';
    const send = (status: number, body: unknown, contentType = 'application/json') => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };

    const endpoint = routeOf(method, url.pathname);
    if (endpoint) {
      calls.set(endpoint, (calls.get(endpoint) ?? 0) + 1);
      const fault = takeFault(endpoint);
      void readBody(req).then((body) => {
        if (body === null) return send(413, '<html>request entity too large</html>', 'text/html');
        requestLog.push({ endpoint, method, query: Object.fromEntries(url.searchParams), body, at: now() });
        if (requestLog.length > REQUEST_LOG_SIZE) requestLog.shift();
        if (fault?.kind === 'timeout') return;
        if (fault?.kind === 'reset') return req.socket.destroy();
        if (fault?.kind === 'http') return send(fault.status, fault.body, 'text/html');
        if (fault?.kind === 'errcode') return send(200, { errcode: fault.errcode, errmsg: fault.errmsg ?? errmsgOf(fault.errcode) });
        const answer = handle(endpoint, method, url.searchParams, body);
        // WeChat answers jscode2session with text/plain; clients must not rely on the content type.
        const contentType = endpoint === 'jscode2session' ? 'text/plain' : 'application/json; encoding=utf-8';
        if (fault?.kind === 'delay') {
          setTimeout(() => send(200, answer, contentType), fault.ms).unref();
          return;
        }
        send(200, answer, contentType);
      });
      return;
    }

    const readParams = (respond: (params: Record<string, unknown>) => void) => {
      if (req.method === 'GET') return respond(Object.fromEntries(url.searchParams));
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > 16_384) req.destroy();
      });
      req.on('end', () => {
        const params = parseJsonObject(body || '{}');
        if (params) respond(params);
        else send(400, { error: 'the body must be a JSON object: {"appid": "...", "player": "..."}' });
      });
    };
    const appidAndPlayer = (params: Record<string, unknown>) => {
      const appid = typeof params.appid === 'string' && params.appid ? params.appid : defaultAppid;
      const player = typeof params.player === 'string' ? params.player.trim() : '';
      if (!appid || !apps.has(appid)) {
        send(400, { error: 'unknown appid', field: 'appid' });
        return null;
      }
      if (!player || player.length > 64) {
        send(400, { error: 'name a player (1 to 64 characters)', field: 'player' });
        return null;
      }
      return { appid, player };
    };

    if (url.pathname === '/sim/login' && (req.method === 'GET' || req.method === 'POST')) {
      return readParams((params) => {
        const who = appidAndPlayer(params);
        if (!who) return;
        const code = issueCode(who.appid, who.player);
        return url.searchParams.get('format') === 'text' ? send(200, code, 'text/plain') : send(200, { code });
      });
    }

    if (url.pathname === '/sim/userinfo' && (req.method === 'GET' || req.method === 'POST')) {
      return readParams((params) => {
        const who = appidAndPlayer(params);
        if (!who) return;
        if (!sessions.has(playerKey(who.appid, who.player))) return send(409, { error: 'the player has not logged in (wx.login) yet' });
        const profile = typeof params.profile === 'object' && params.profile !== null ? (params.profile as Partial<SimulatedProfile>) : undefined;
        return send(200, userInfoFor(who.appid, who.player, profile));
      });
    }

    send(404, { errcode: 404, errmsg: 'not found' });
  });
  server.keepAliveTimeout = 30_000;

  const listen = (port: number, host: string) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });

  await listen(options.port ?? 0, options.host ?? '127.0.0.1');
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    issueCode,
    openidFor,
    sessionKeyFor: (appid, player) => sessions.get(playerKey(appid, player))?.sessionKey ?? null,
    injectFault(fault, times = 1) {
      const endpoint = fault.endpoint ?? 'jscode2session';
      const queue = queuedFaults.get(endpoint) ?? [];
      for (let i = 0; i < times; i++) queue.push(fault);
      queuedFaults.set(endpoint, queue);
    },
    setFault(endpoint, fault) {
      if (fault) standingFaults.set(endpoint, fault);
      else standingFaults.delete(endpoint);
    },
    clearFaults() {
      queuedFaults.clear();
      standingFaults.clear();
    },
    async setReachable(reachable) {
      if (reachable && !server.listening) await listen(address.port, address.address);
      if (!reachable) await stop();
    },
    blockPlayer(appid, player) {
      blocked.add(playerKey(appid, player));
    },
    get code2sessionCalls() {
      return calls.get('jscode2session') ?? 0;
    },
    callCount: (endpoint) => calls.get(endpoint) ?? 0,
    forceRefreshCount(appid) {
      if (appid) return appTokens.get(appid)?.forcedTotal ?? 0;
      let total = 0;
      for (const state of appTokens.values()) total += state.forcedTotal;
      return total;
    },
    requestLog,
    currentAccessToken: (appid) => appTokens.get(appid)?.current ?? null,
    revokeAccessTokens(appid) {
      for (const issued of tokens.values()) if (issued.appid === appid) issued.revoked = true;
    },
    issuePhoneCode,
    setUserProfile(appid, player, profile) {
      profiles.set(playerKey(appid, player), { ...profiles.get(playerKey(appid, player)), ...profile });
    },
    userInfoFor,
    userStorage: (appid, player) => Object.fromEntries(storages.get(playerKey(appid, player)) ?? []),
    setContentRules(rules) {
      contentRules = [...rules];
    },
    setSessionKeyRotation(rotation) {
      sessionKeyRotation = rotation;
    },
    rotateSessionKey(appid, player) {
      const sessionKey = randomBytes(16).toString('base64');
      sessions.set(playerKey(appid, player), { sessionKey, issuedAt: now() });
      return sessionKey;
    },
    close: stop,
  };
}
