import { AccessTokenManager, type AccessTokenStore } from './access-token-manager.js';
import { createCheckSessionKey, type CheckSessionKey } from './check-session.js';
import type { WeChatAppCredentials } from './code2session.js';
import { createMsgSecCheck, type MsgSecCheck } from './msg-sec-check.js';
import { createGetPhoneNumber, type GetPhoneNumber } from './phone-number.js';
import { createGetStableToken } from './stable-token.js';
import type { WeChatTransport } from './transport.js';
import { createSendSubscribeMessage, type SendSubscribeMessage } from './subscribe-message.js';
import { createRemoveUserStorage, createSetUserStorage, type RemoveUserStorage, type SetUserStorage } from './user-storage.js';

/** The WeChat server calls a mini-game's server makes beyond login, each with the app's access token. */
export interface WeChatApi {
  appid: string;
  /** Runs a call with the access token, replacing a token WeChat refused and retrying once. */
  withAccessToken<T>(call: (accessToken: string) => Promise<T>): Promise<T>;
  checkSessionKey: CheckSessionKey;
  setUserStorage: SetUserStorage;
  removeUserStorage: RemoveUserStorage;
  getPhoneNumber: GetPhoneNumber;
  msgSecCheck: MsgSecCheck;
  /** subscribeMessage.send. */
  sendSubscribeMessage: SendSubscribeMessage;
}

export interface CreateWeChatApiOptions {
  app: WeChatAppCredentials;
  transport: WeChatTransport;
  /** Where the access token is shared between instances (MySQL or Redis). */
  tokenStore: AccessTokenStore;
  now?: () => number;
}

/** The app's WeChat calls over one transport, with one AccessTokenManager (stable_token, single-flight across instances). */
export function createWeChatApi(options: CreateWeChatApiOptions): WeChatApi & { tokens: AccessTokenManager } {
  const { app, transport } = options;
  const tokens = new AccessTokenManager({
    appid: app.appid,
    getStableToken: createGetStableToken(app, transport),
    store: options.tokenStore,
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    appid: app.appid,
    tokens,
    withAccessToken: (call) => tokens.withAccessToken(call),
    checkSessionKey: createCheckSessionKey(app, transport),
    setUserStorage: createSetUserStorage(app, transport),
    removeUserStorage: createRemoveUserStorage(app, transport),
    getPhoneNumber: createGetPhoneNumber(app, transport),
    msgSecCheck: createMsgSecCheck(app, transport),
    sendSubscribeMessage: createSendSubscribeMessage(app, transport),
  };
}
