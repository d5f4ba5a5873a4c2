import { createDouyinApi, createDouyinCode2Session, createQQApi, createQQCode2Session, type PlatformSession } from '@minigate/platforms';
import {
  createCode2Session,
  createGameCoinsApi,
  createWeChatApi,
  type AccessTokenStore,
  type GameCoinsApi,
  type WeChatApi,
  type WeChatTransport,
} from '@minigate/wechat';
import type { PaySettings } from '../payments/pay-settings.js';
import type { Platform } from './platform-identities.js';

/** One game the deployment serves, as the configuration names it (APPS_FILE, or the WECHAT_* variables). */
export interface GameAppCredentials {
  appid: string;
  platform: Platform;
  /** Never logged, never answered. */
  secret: string;
  /** The scheme and host of the platform's API (the platform's own, the simulator, an egress proxy). */
  apiBase: string;
  name?: string;
  /** WeChat's virtual payment 2.0 settings and products; absent: the game takes no payments. */
  pay?: PaySettings | null;
}

/** What the game's login call gave: wx.login's / qq.login's code, tt.login's code and anonymousCode. */
export interface LoginCredentials {
  code?: string;
  /** Douyin only: a guest's code (tt.login when the player is not signed in to Douyin). */
  anonymousCode?: string;
}

export type DouyinApi = ReturnType<typeof createDouyinApi>;
export type QQApi = ReturnType<typeof createQQApi>;

/** A game, with the calls to its platform made for it. */
export interface ServedApp {
  appid: string;
  platform: Platform;
  name: string | null;
  /** The game's pay settings (WeChat only), or null. */
  pay: PaySettings | null;
  /** The platform's code exchange, once per code (never retried once the platform answered). */
  exchange(credentials: LoginCredentials): Promise<PlatformSession>;
  /** The platform's server API for this game; the one of its platform is set. */
  wechat: WeChatApi | null;
  /** WeChat's game coins (/wxa/game/*) for this game; set for a WeChat game. */
  coins: GameCoinsApi | null;
  douyin: DouyinApi | null;
  qq: QQApi | null;
}

export interface ServedApps {
  /** The game of this appid, or undefined when the deployment does not serve it. */
  get(appid: string): ServedApp | undefined;
  /** auth.wechatLogin's game: the first WeChat app configured, or null when there is none. */
  readonly defaultWeChat: ServedApp | null;
  /** The game a session signed in to: its appid, or (null: a session from before several games) the first WeChat app. */
  ofSession(appid: string | null): ServedApp | undefined;
  readonly all: readonly ServedApp[];
}

export interface ServedAppsOptions {
  apps: readonly GameAppCredentials[];
  /** WeChat's calls (backup domains and the circuit breaker around them). */
  wechatTransport: WeChatTransport;
  /** Douyin's and QQ's calls. */
  transport: WeChatTransport;
  /** Where each game's access token is shared between instances, under its appid. */
  tokenStore: AccessTokenStore;
  now?: () => number;
}

/** Each configured game with its platform's calls: one access token manager per game, single-flight across instances. */
export function createServedApps(options: ServedAppsOptions): ServedApps {
  const now = options.now ? { now: options.now } : {};
  const all = options.apps.map((app): ServedApp => {
    const base = {
      appid: app.appid,
      platform: app.platform,
      name: app.name ?? null,
      pay: app.pay ?? null,
      wechat: null,
      coins: null,
      douyin: null,
      qq: null,
    };
    const credentials = { appid: app.appid, secret: app.secret, apiBase: app.apiBase };
    if (app.platform === 'douyin') {
      const exchange = createDouyinCode2Session(credentials, options.transport);
      return {
        ...base,
        exchange,
        douyin: createDouyinApi({ app: credentials, transport: options.transport, tokenStore: options.tokenStore, ...now }),
      };
    }
    if (app.platform === 'qq') {
      const exchange = createQQCode2Session(credentials, options.transport);
      return {
        ...base,
        exchange: ({ code }) => exchange(code ?? ''),
        qq: createQQApi({ app: credentials, transport: options.transport, tokenStore: options.tokenStore, ...now }),
      };
    }
    const code2session = createCode2Session(credentials, options.wechatTransport);
    return {
      ...base,
      async exchange({ code }) {
        const session = await code2session(code ?? '');
        return { openid: session.openid, anonymousOpenid: null, unionid: session.unionid, sessionKey: session.sessionKey };
      },
      wechat: createWeChatApi({ app: credentials, transport: options.wechatTransport, tokenStore: options.tokenStore, ...now }),
      coins: createGameCoinsApi({ apiBase: app.apiBase, appid: app.appid, ...now }, options.wechatTransport),
    };
  });
  const byAppid = new Map(all.map((app) => [app.appid, app]));
  const defaultWeChat = all.find((app) => app.platform === 'wechat') ?? null;
  return {
    get: (appid) => byAppid.get(appid),
    defaultWeChat,
    ofSession: (appid) => (appid === null ? (defaultWeChat ?? undefined) : byAppid.get(appid)),
    all,
  };
}
