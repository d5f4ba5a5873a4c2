// The simulator's public types: its options, the faults it takes and what it hands out.
import type { SimulatedSubscribeMessage } from './endpoints/subscribe-message.js';
import type { SimulatedPayments, SimulatedPaySettings } from './pay/pay-types.js';

/** The mini-game platforms the simulator plays. */
export type SimulatedPlatform = 'wechat' | 'douyin' | 'qq';

export interface SimulatedApp {
  appid: string;
  secret: string;
  /** Whose app it is; 'wechat' by default. Its logins, tokens and storage go through that platform's endpoints only. */
  platform?: SimulatedPlatform;
  /**
   * Set when the app is bound to an open platform account: its players
   * then get a unionid, the same across the apps of that platform with the
   * same openPlatform (a WeChat and a Douyin app never share one).
   */
  openPlatform?: string;
  /** Virtual payment 2.0 (WeChat apps): the /wxa/game/* endpoints, item orders and their delivery pushes. */
  pay?: SimulatedPaySettings;
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
  /** Multiplies WeChat's resend schedule of delivery pushes (15 s, 15 s, 30 s, 3 min, ... 6 h); default 1. */
  pushScheduleScale?: number;
  /** Resends on real timers too (the scaled schedule), for pnpm dev; default false: only pushes.advance resends. */
  pushAutoRetry?: boolean;
  /** How long a push waits for its answer; default 3000 ms (a later answer counts as none). */
  pushTimeoutMs?: number;
}

/**
 * 'every-login': each jscode2session hands out a new session_key (the
 * strictest case). 'on-demand': a login keeps the player's current key, as
 * WeChat does within its minimum refresh period, and only rotateSessionKey
 * changes it (a wx.login whose code never reached the server). WeChat's
 * logins only: a Douyin or QQ login always hands out a new key.
 */
export type SessionKeyRotation = 'every-login' | 'on-demand';

/** The server endpoints the simulator plays: WeChat's, then Douyin's and QQ's. */
export type SimulatedEndpoint =
  | 'jscode2session'
  | 'stable_token'
  | 'getuserphonenumber'
  | 'checksession'
  | 'set_user_storage'
  | 'remove_user_storage'
  | 'msg_sec_check'
  | 'subscribe_send'
  | 'douyin_jscode2session'
  | 'douyin_token'
  | 'douyin_set_user_storage'
  | 'douyin_remove_user_storage'
  | 'qq_jscode2session'
  | 'qq_token'
  | 'qq_subscribe_send'
  | 'game_getbalance'
  | 'game_pay'
  | 'game_cancelpay'
  | 'game_present'
  | 'game_queryorderinfo';

export const SIMULATED_ENDPOINTS: readonly SimulatedEndpoint[] = [
  'jscode2session',
  'stable_token',
  'getuserphonenumber',
  'checksession',
  'set_user_storage',
  'remove_user_storage',
  'msg_sec_check',
  'subscribe_send',
  'douyin_jscode2session',
  'douyin_token',
  'douyin_set_user_storage',
  'douyin_remove_user_storage',
  'qq_jscode2session',
  'qq_token',
  'qq_subscribe_send',
  'game_getbalance',
  'game_pay',
  'game_cancelpay',
  'game_present',
  'game_queryorderinfo',
];

/**
 * A fault WeChat (or Douyin, or QQ) may answer with. `endpoint` says which
 * call it hits; without one it hits jscode2session (as before there were
 * others). An errcode fault is answered in the endpoint's own shape
 * (Douyin's `error`/`errcode` or `err_no`/`err_tips`, WeChat's and QQ's `errcode`/`errmsg`).
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

export interface WeChatSimulator extends SimulatedPayments {
  /** Base URL, to use as WECHAT_API_BASE. */
  readonly url: string;
  /** Issues a login code for a simulated player of an app: what wx.login, tt.login or qq.login gives the game, by the app's platform. */
  issueCode(appid: string, player: string): string;
  /** Issues a Douyin anonymous code (tt.login's anonymousCode) for a device; single-use, valid as long as a login code. */
  issueAnonymousCode(appid: string, device: string): string;
  /** The anonymous_openid Douyin gives this device in this app. */
  anonymousOpenidFor(appid: string, device: string): string;
  /** The openid the platform gives this player in this app. */
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
  /** The app's current access token (stable_token's, Douyin's v2/token's or QQ's getToken's), or null before any. */
  currentAccessToken(appid: string): string | null;
  /** Invalidates every access token of an app, as if an operator force-refreshed it elsewhere: calls get 40001 (Douyin: 28001003, QQ: 40014). */
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
  /** What set_user_storage (WeChat's or Douyin's, by the app's platform) keeps for the player (a copy). */
  userStorage(appid: string, player: string): Record<string, string>;
  /** Replaces msg_sec_check's word list. */
  setContentRules(rules: SimulatedContentRule[]): void;
  /**
   * The player answered "accept" to wx.requestSubscribeMessage (a QQ app: qq.subscribeAppMsg) for the template
   * (`times` times, default 1): that many sends.
   */
  acceptSubscription(appid: string, player: string, templateId: string, times?: number): void;
  /** Sends of the template the player still allows at WeChat (or QQ). */
  subscriptionsLeft(appid: string, player: string, templateId: string): number;
  /** The subscribe messages subscribeMessage.send (QQ: SendSubscriptionMessage) delivered to the player, oldest first. */
  subscribeMessages(appid: string, player: string): SimulatedSubscribeMessage[];
  /** Switches how logins treat the session_key (see SessionKeyRotation). */
  setSessionKeyRotation(rotation: SessionKeyRotation): void;
  /** Gives the player a new session_key at WeChat, as a wx.login whose code the server never saw would; returns it. */
  rotateSessionKey(appid: string, player: string): string;
  close(): Promise<void>;
}

export type { SimulatedSubscribeMessage };
