import type { SimulatedEndpointDefinition, SimulatorContext } from './endpoint.js';
import { createCheckSession } from './endpoints/checksession.js';
import { createDouyinJscode2Session } from './endpoints/douyin-jscode2session.js';
import { createDouyinToken } from './endpoints/douyin-token.js';
import { createDouyinUserStorage } from './endpoints/douyin-user-storage.js';
import { createGameCoins } from './endpoints/game-coins.js';
import { createJscode2Session } from './endpoints/jscode2session.js';
import { createMsgSecCheck } from './endpoints/msg-sec-check.js';
import { createPhoneNumber } from './endpoints/phone-number.js';
import { createQQJscode2Session } from './endpoints/qq-jscode2session.js';
import { createQQSubscribeMessage } from './endpoints/qq-subscribe-message.js';
import { createQQToken } from './endpoints/qq-token.js';
import { createSimAnonymous } from './endpoints/sim-anonymous.js';
import { createSimLogin } from './endpoints/sim-login.js';
import { createUserInfo } from './endpoints/sim-userinfo.js';
import { createStableToken } from './endpoints/stable-token.js';
import { createSubscribeMessage } from './endpoints/subscribe-message.js';
import { createUserStorage, USER_STORAGE_MAX_PAIR_BYTES, USER_STORAGE_MAX_PAIRS } from './endpoints/user-storage.js';
import { serveSimulator } from './http.js';
import { createItemOrders } from './pay/item-orders.js';
import { createPushSender } from './pay/push-sender.js';
import { Players } from './players.js';
import type { SimulatedEndpoint, SimulatedPlatform, SimulatedRequest, WeChatSimulator, WeChatSimulatorOptions } from './types.js';

export type {
  SimulatedItemOrder,
  SimulatedItemOrderResult,
  SimulatedPayments,
  SimulatedPaySettings,
  SimulatedPendingPush,
  SimulatedPushes,
  SimulatedPushRecord,
  SimulatedPushUrlCheck,
  SimulatedSendPushOptions,
} from './pay/pay-types.js';
export { PUSH_RESEND_DELAYS_MS } from './pay/push-sender.js';
export {
  SIMULATED_ENDPOINTS,
  type SessionKeyRotation,
  type SimulatedApp,
  type SimulatedContentRule,
  type SimulatedSubscribeMessage,
  type SimulatedEndpoint,
  type SimulatedFault,
  type SimulatedPhone,
  type SimulatedPlatform,
  type SimulatedProfile,
  type SimulatedRequest,
  type SimulatedUserInfo,
  type WeChatSimulator,
  type WeChatSimulatorOptions,
} from './types.js';

const REQUEST_LOG_SIZE = 1000;

/**
 * Stands in for WeChat's servers in development and tests: jscode2session,
 * stable_token, getuserphonenumber, checksession, set/remove_user_storage and
 * msg_sec_check behave like WeChat's, errors included; every endpoint takes
 * injected faults. /sim/login issues the codes that wx.login would give a
 * named player, /sim/userinfo what wx.getUserInfo would give it.
 *
 * Apps may be Douyin's or QQ's too (SimulatedApp.platform): Douyin's
 * jscode2session in both of its shapes (the mini-game's flat GET
 * /mgplatform/api/apps/jscode2session and the mini-app's wrapped POST
 * /api/apps/v2/jscode2session), its token (POST /mgplatform/api/apps/v2/token,
 * each fetch cutting the previous token to 5 minutes) and its signed user
 * storage (POST /mgplatform/api/apps/set_user_storage, remove_user_storage);
 * QQ's jscode2session (GET /sns/jscode2session, routed by the appid), token
 * (GET /api/getToken) and subscribe messages (POST
 * /api/json/subscribe/SendSubscriptionMessage). /sim/login gives codes for an app of any
 * platform, /sim/anonymous Douyin's anonymous codes for a device.
 *
 * Virtual payment 2.0 (SimulatedApp.pay): the game coins' /wxa/game/getbalance, pay, cancelpay,
 * present and queryorderinfo; item orders (payItemOrder, /sim/pay) and their delivery pushes to the
 * app's pushUrl, resent on WeChat's schedule by a clock the tests move (pushes.advance).
 *
 * Each endpoint lives in endpoints/ with its own state and fault queue; this
 * composes them over the shared app registry, clock and players (openids,
 * session keys), routes requests to them, and counts and logs the calls.
 */
export async function startWeChatSimulator(options: WeChatSimulatorOptions): Promise<WeChatSimulator> {
  const now = options.now ?? Date.now;
  const codeTtlMs = options.codeTtlMs ?? 5 * 60_000;
  const tokenTtlMs = (options.accessTokenTtlSeconds ?? 7200) * 1000;
  const context: SimulatorContext = { apps: new Map(options.apps.map((app) => [app.appid, app])), now, players: new Players(now) };

  const login = createJscode2Session(context, {
    codeTtlMs,
    callsPerPlayerPerMinute: options.callsPerPlayerPerMinute ?? 100,
    sessionKeyRotation: options.sessionKeyRotation ?? 'every-login',
  });
  const tokens = createStableToken(context, {
    tokenTtlMs,
    tokenOverlapMs: Math.min((options.accessTokenOverlapSeconds ?? 300) * 1000, tokenTtlMs),
  });
  const storage = createUserStorage(context, tokens.authorize, {
    maxBytes: options.userStorageMaxBytes ?? USER_STORAGE_MAX_PAIRS * USER_STORAGE_MAX_PAIR_BYTES,
  });
  const phone = createPhoneNumber(context, tokens.authorize, { codeTtlMs });
  const content = createMsgSecCheck(context, tokens.authorize, {
    contentRules: options.contentRules ?? [],
    recentVisitMs: options.recentVisitMs ?? 2 * 3600_000,
  });
  const subscriptions = createSubscribeMessage(context, tokens.authorize);
  const userInfo = createUserInfo(context);
  const douyinLogin = createDouyinJscode2Session(context, { codeTtlMs });
  const qqLogin = createQQJscode2Session(context, { codeTtlMs, callsPerPlayerPerMinute: options.callsPerPlayerPerMinute ?? 100 });
  const douyinTokens = createDouyinToken(context, { tokenTtlMs });
  const douyinStorage = createDouyinUserStorage(context, douyinTokens.authorize);
  const qqTokens = createQQToken(context, { tokenTtlMs });
  const qqSubscriptions = createQQSubscribeMessage(context, qqTokens.authorize);
  const sender = createPushSender(context, {
    scale: options.pushScheduleScale ?? 1,
    autoRetry: options.pushAutoRetry ?? false,
    timeoutMs: options.pushTimeoutMs ?? 3000,
  });
  const itemOrders = createItemOrders(context, sender);
  const coins = createGameCoins(context, tokens.authorize, itemOrders.orderInfo);
  const platformOf = (appid: string): SimulatedPlatform => context.apps.get(appid)?.platform ?? 'wechat';
  /** By the app's platform: what wx.login, tt.login or qq.login gives the game. */
  const issueCode = (appid: string, player: string): string => {
    const platform = platformOf(appid);
    if (platform === 'douyin') return douyinLogin.issueCode(appid, player);
    if (platform === 'qq') return qqLogin.issueCode(appid, player);
    return login.issueCode(appid, player);
  };

  const endpoints: Record<SimulatedEndpoint, SimulatedEndpointDefinition> = {
    jscode2session: login.endpoint,
    stable_token: tokens.endpoint,
    getuserphonenumber: phone.endpoint,
    checksession: createCheckSession(context, tokens.authorize),
    set_user_storage: storage.setEndpoint,
    remove_user_storage: storage.removeEndpoint,
    msg_sec_check: content.endpoint,
    subscribe_send: subscriptions.endpoint,
    douyin_jscode2session: douyinLogin.flatEndpoint,
    douyin_token: douyinTokens.endpoint,
    douyin_set_user_storage: douyinStorage.setEndpoint,
    douyin_remove_user_storage: douyinStorage.removeEndpoint,
    qq_jscode2session: qqLogin.endpoint,
    qq_token: qqTokens.endpoint,
    qq_subscribe_send: qqSubscriptions.endpoint,
    ...coins.endpoints,
  };
  // QQ's jscode2session shares WeChat's path: the appid decides. Douyin's mini-app shape shares its faults and count.
  const shared = new Set<SimulatedEndpointDefinition>([qqLogin.endpoint]);
  const byPath = new Map(
    [...Object.values(endpoints).filter((endpoint) => !shared.has(endpoint)), douyinLogin.miniAppEndpoint].map((endpoint) => [
      endpoint.path,
      endpoint,
    ]),
  );

  const calls = new Map<SimulatedEndpoint, number>();
  const requestLog: SimulatedRequest[] = [];

  const http = await serveSimulator({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    route(method, url) {
      const appid = url.searchParams.get('appid');
      const endpoint = url.pathname === qqLogin.endpoint.path && appid && platformOf(appid) === 'qq' ? qqLogin.endpoint : byPath.get(url.pathname);
      return endpoint && (endpoint.method === undefined || endpoint.method === method) ? endpoint : null;
    },
    simRoutes: [createSimLogin(issueCode), createSimAnonymous(context, douyinLogin.issueAnonymousCode), userInfo.route, itemOrders.route],
    knowsApp: (appid) => context.apps.has(appid),
    defaultAppid: options.apps[0]?.appid,
    now,
    onCall(endpoint) {
      calls.set(endpoint, (calls.get(endpoint) ?? 0) + 1);
    },
    onRequest(request) {
      requestLog.push(request);
      if (requestLog.length > REQUEST_LOG_SIZE) requestLog.shift();
    },
  });

  return {
    url: http.url,
    issueCode,
    issueAnonymousCode: douyinLogin.issueAnonymousCode,
    anonymousOpenidFor: (appid, device) => context.players.anonymousOpenidFor(appid, device),
    openidFor: (appid, player) => context.players.openidFor(appid, player),
    sessionKeyFor: (appid, player) => context.players.session(appid, player)?.sessionKey ?? null,
    injectFault(fault, times = 1) {
      endpoints[fault.endpoint ?? 'jscode2session'].faults.inject(fault, times);
    },
    setFault(endpoint, fault) {
      endpoints[endpoint].faults.set(fault);
    },
    clearFaults() {
      for (const endpoint of Object.values(endpoints)) endpoint.faults.clear();
    },
    setReachable: http.setReachable,
    blockPlayer: login.blockPlayer,
    get code2sessionCalls() {
      return calls.get('jscode2session') ?? 0;
    },
    callCount: (endpoint) => calls.get(endpoint) ?? 0,
    forceRefreshCount: tokens.forceRefreshCount,
    requestLog,
    currentAccessToken: (appid) => ({ wechat: tokens, douyin: douyinTokens, qq: qqTokens })[platformOf(appid)].currentAccessToken(appid),
    revokeAccessTokens: (appid) => ({ wechat: tokens, douyin: douyinTokens, qq: qqTokens })[platformOf(appid)].revokeAccessTokens(appid),
    issuePhoneCode: phone.issuePhoneCode,
    setUserProfile: userInfo.setUserProfile,
    userInfoFor: userInfo.userInfoFor,
    userStorage: (appid, player) => (platformOf(appid) === 'douyin' ? douyinStorage : storage).userStorage(appid, player),
    setContentRules: content.setContentRules,
    acceptSubscription: (appid, player, templateId, times) =>
      (platformOf(appid) === 'qq' ? qqSubscriptions : subscriptions).acceptSubscription(appid, player, templateId, times),
    subscriptionsLeft: (appid, player, templateId) =>
      (platformOf(appid) === 'qq' ? qqSubscriptions : subscriptions).subscriptionsLeft(appid, player, templateId),
    subscribeMessages: (appid, player) => (platformOf(appid) === 'qq' ? qqSubscriptions : subscriptions).subscribeMessages(appid, player),
    setSessionKeyRotation: login.setSessionKeyRotation,
    rotateSessionKey: (appid, player) => context.players.startSession(appid, player),
    setCoinBalance: coins.setCoinBalance,
    coinBalance: coins.coinBalance,
    payItemOrder: itemOrders.payItemOrder,
    sendPush: itemOrders.sendPush,
    verifyPushUrl: sender.verifyPushUrl,
    pushes: sender.pushes,
    close: http.close,
  };
}
