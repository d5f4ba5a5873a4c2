import type { SimulatedEndpointDefinition, SimulatorContext } from './endpoint.js';
import { createCheckSession } from './endpoints/checksession.js';
import { createJscode2Session } from './endpoints/jscode2session.js';
import { createMsgSecCheck } from './endpoints/msg-sec-check.js';
import { createPhoneNumber } from './endpoints/phone-number.js';
import { createSimLogin } from './endpoints/sim-login.js';
import { createUserInfo } from './endpoints/sim-userinfo.js';
import { createStableToken } from './endpoints/stable-token.js';
import { createUserStorage, USER_STORAGE_MAX_PAIR_BYTES, USER_STORAGE_MAX_PAIRS } from './endpoints/user-storage.js';
import { serveSimulator } from './http.js';
import { Players } from './players.js';
import type { SimulatedEndpoint, SimulatedRequest, WeChatSimulator, WeChatSimulatorOptions } from './types.js';

export {
  SIMULATED_ENDPOINTS,
  type SessionKeyRotation,
  type SimulatedApp,
  type SimulatedContentRule,
  type SimulatedEndpoint,
  type SimulatedFault,
  type SimulatedPhone,
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
  const userInfo = createUserInfo(context);

  const endpoints: Record<SimulatedEndpoint, SimulatedEndpointDefinition> = {
    jscode2session: login.endpoint,
    stable_token: tokens.endpoint,
    getuserphonenumber: phone.endpoint,
    checksession: createCheckSession(context, tokens.authorize),
    set_user_storage: storage.setEndpoint,
    remove_user_storage: storage.removeEndpoint,
    msg_sec_check: content.endpoint,
  };
  const byPath = new Map(Object.values(endpoints).map((endpoint) => [endpoint.path, endpoint]));

  const calls = new Map<SimulatedEndpoint, number>();
  const requestLog: SimulatedRequest[] = [];

  const http = await serveSimulator({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    route(method, pathname) {
      const endpoint = byPath.get(pathname);
      return endpoint && (endpoint.method === undefined || endpoint.method === method) ? endpoint : null;
    },
    simRoutes: [createSimLogin(login.issueCode), userInfo.route],
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
    issueCode: login.issueCode,
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
    currentAccessToken: tokens.currentAccessToken,
    revokeAccessTokens: tokens.revokeAccessTokens,
    issuePhoneCode: phone.issuePhoneCode,
    setUserProfile: userInfo.setUserProfile,
    userInfoFor: userInfo.userInfoFor,
    userStorage: storage.userStorage,
    setContentRules: content.setContentRules,
    setSessionKeyRotation: login.setSessionKeyRotation,
    rotateSessionKey: (appid, player) => context.players.startSession(appid, player),
    close: http.close,
  };
}
