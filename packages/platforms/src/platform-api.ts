import { AccessTokenManager, type AccessTokenStore, type WeChatTransport } from '@minigate/wechat';
import { createGetDouyinToken } from './douyin-token.js';
import { createDouyinRemoveUserStorage, createDouyinSetUserStorage } from './douyin-user-storage.js';
import type { PlatformAppCredentials } from './platform.js';
import { createQQSendSubscriptionMessage, type QQSubscriptionMessageRequest } from './qq-subscribe-message.js';
import { createGetQQToken } from './qq-token.js';

export interface CreatePlatformApiOptions {
  app: PlatformAppCredentials;
  transport: WeChatTransport;
  /** Where the access token is shared between instances (MySQL or Redis), keyed by appid. */
  tokenStore: AccessTokenStore;
  now?: () => number;
}

/** An app's server calls that need its access token. */
export interface PlatformApi {
  appid: string;
  /** The app's access token, cached in the store and refreshed single-flight across instances. */
  tokens: AccessTokenManager;
  /** Runs a call with the access token, replacing a token the platform refused (AccessTokenInvalidError) and retrying once. */
  withAccessToken<T>(call: (accessToken: string) => Promise<T>): Promise<T>;
}

export interface DouyinApi extends PlatformApi {
  /** set_user_storage for the player, signed with its current session key. */
  setUserStorage(request: { openid: string; sessionKey: string; kvList: { key: string; value: string }[] }): Promise<void>;
  /** remove_user_storage for the player, signed with its current session key. */
  removeUserStorage(request: { openid: string; sessionKey: string; keys: string[] }): Promise<void>;
}

export interface QQApi extends PlatformApi {
  /** SendSubscriptionMessage to the player with the app's access token (a refused token is replaced and the send retried once). */
  sendSubscriptionMessage(request: Omit<QQSubscriptionMessageRequest, 'accessToken'>): Promise<void>;
}

function platformApi(options: CreatePlatformApiOptions, getToken: ReturnType<typeof createGetDouyinToken>): PlatformApi {
  const tokens = new AccessTokenManager({
    appid: options.app.appid,
    getStableToken: getToken,
    store: options.tokenStore,
    ...(options.now ? { now: options.now } : {}),
  });
  return { appid: options.app.appid, tokens, withAccessToken: (call) => tokens.withAccessToken(call) };
}

/**
 * A Douyin app's calls with its access token (POST .../v2/token, kept by an
 * AccessTokenManager: Douyin cuts the previous token to 5 minutes on every
 * fetch, so only the store's single flight may fetch) and its user storage.
 */
export function createDouyinApi(options: CreatePlatformApiOptions): DouyinApi {
  const api = platformApi(options, createGetDouyinToken(options.app, options.transport));
  const set = createDouyinSetUserStorage(options.app.apiBase, options.transport);
  const remove = createDouyinRemoveUserStorage(options.app.apiBase, options.transport);
  return {
    ...api,
    setUserStorage: (request) => api.withAccessToken((accessToken) => set({ ...request, accessToken })),
    removeUserStorage: (request) => api.withAccessToken((accessToken) => remove({ ...request, accessToken })),
  };
}

/**
 * A QQ app's calls with its access token (GET /api/getToken, where a new
 * fetch ends the previous token, kept by an AccessTokenManager): its
 * subscribe messages.
 */
export function createQQApi(options: CreatePlatformApiOptions): QQApi {
  const api = platformApi(options, createGetQQToken(options.app, options.transport));
  const send = createQQSendSubscriptionMessage(options.app.apiBase, options.transport);
  return { ...api, sendSubscriptionMessage: (request) => api.withAccessToken((accessToken) => send({ ...request, accessToken })) };
}
