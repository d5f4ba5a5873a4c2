import { httpRequest } from './http-request.js';
import { settle, type CallbackOptions } from './wx-callbacks.js';

/** The mini-game runtimes the sandbox plays: WeChat's wx, Douyin's tt, QQ's qq. */
export type SandboxRuntime = 'wx' | 'tt' | 'qq';

/** How the sandbox's login (wx.login, tt.login, qq.login) behaves: as the platform's, or failing, never answering, or slow. */
export type LoginBehaviour = { kind: 'answer' } | { kind: 'fail'; errMsg: string } | { kind: 'hang' } | { kind: 'delay'; ms: number };

export interface RuntimeLoginOptions {
  runtime: SandboxRuntime;
  simulatorUrl: string;
  appid: string;
  player: string;
  /** Douyin: the device tt.login's anonymousCode stands for. */
  device: string;
  /** Douyin: whether the player is logged in to Douyin (the host app) now; a forced tt.login logs them in. */
  loggedInToHost: () => boolean;
  logInToHost: () => void;
  behaviour: () => LoginBehaviour;
}

async function askSimulator(simulatorUrl: string, path: '/sim/login' | '/sim/anonymous', query: Record<string, string>): Promise<string> {
  const res = await httpRequest(`${simulatorUrl}${path}?${new URLSearchParams(query).toString()}`, { method: 'GET', headers: {}, timeoutMs: 60_000 });
  if (res.status !== 200) throw new Error(`the simulator answered ${res.status}`);
  return (JSON.parse(res.body) as { code: string }).code;
}

/**
 * The runtime's login as the platform shapes it. wx.login and qq.login
 * answer `{ code, errMsg }` with a code from the simulator's /sim/login.
 * tt.login answers `{ anonymousCode, isLogin, errMsg }` always (a code for
 * the device, /sim/anonymous) and `code` only when the player is logged in
 * to Douyin; with `force` (Douyin's default, true) a player who is not
 * logged in sees Douyin's login dialog first, and logs in.
 */
export function createRuntimeLogin(options: RuntimeLoginOptions) {
  const { runtime, simulatorUrl, appid, player } = options;
  const codes = async (force: boolean): Promise<Record<string, unknown>> => {
    if (runtime !== 'tt') return { code: await askSimulator(simulatorUrl, '/sim/login', { appid, player }), errMsg: 'login:ok' };
    if (force && !options.loggedInToHost()) options.logInToHost();
    const anonymousCode = await askSimulator(simulatorUrl, '/sim/anonymous', { appid, device: options.device });
    if (!options.loggedInToHost()) return { anonymousCode, isLogin: false, errMsg: 'login:ok' };
    return { code: await askSimulator(simulatorUrl, '/sim/login', { appid, player }), anonymousCode, isLogin: true, errMsg: 'login:ok' };
  };
  return (params: CallbackOptions & { timeout?: number; force?: boolean } = {}) => {
    const behaviour = options.behaviour();
    const force = params.force !== false;
    const work =
      behaviour.kind === 'fail'
        ? Promise.reject(new Error(behaviour.errMsg))
        : behaviour.kind === 'hang'
          ? new Promise<never>(() => {})
          : behaviour.kind === 'delay'
            ? new Promise<void>((done) => setTimeout(done, behaviour.ms)).then(() => codes(force))
            : codes(force);
    return settle(params, work, (error) => ({ errMsg: `login:fail ${error.message}` }));
  };
}

/** Where the runtime tells the game its appid: tt.getEnvInfoSync(), wx/qq.getAccountInfoSync(). */
export function runtimeAccountInfo(runtime: SandboxRuntime, appid: string): Record<string, () => unknown> {
  if (runtime === 'tt') {
    return {
      getEnvInfoSync: () => ({
        microapp: { mpVersion: '1.0.0', envType: 'production', appId: appid },
        plugin: {},
        common: { USER_DATA_PATH: 'ttfile://user', location: undefined, launchFrom: undefined, schema: undefined },
      }),
    };
  }
  return { getAccountInfoSync: () => ({ miniProgram: { appId: appid, envVersion: 'release', version: '1.0.0' } }) };
}
