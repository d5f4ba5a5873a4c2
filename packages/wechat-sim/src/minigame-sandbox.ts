import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { httpRequest } from './sandbox/http-request.js';
import { createMidasPayment, type PaymentBehaviour, type SandboxPayment } from './sandbox/midas-payment.js';
import { createRuntimeLogin, runtimeAccountInfo, type LoginBehaviour, type SandboxRuntime } from './sandbox/runtime-login.js';
import { settle, type CallbackOptions } from './sandbox/wx-callbacks.js';
import { createWxRequest } from './sandbox/wx-request.js';
import { createWxStorage } from './sandbox/wx-storage.js';

export type { LoginBehaviour, PaymentBehaviour, SandboxPayment, SandboxRuntime };

export interface MinigameSandboxOptions {
  /** The simulator that the runtime's login asks for a code. */
  simulatorUrl: string;
  /** The game's appid, as the runtime reports it (wx/qq.getAccountInfoSync, tt.getEnvInfoSync). */
  appid: string;
  /** The simulated player this device belongs to. */
  player: string;
  /**
   * The runtime the game runs on, exposed as its global (and GameGlobal's):
   * WeChat's `wx` (the default), Douyin's `tt` or QQ's `qq`.
   */
  runtime?: SandboxRuntime;
  /** Douyin: the device tt.login's anonymousCode stands for (default `<player>-device`). */
  device?: string;
  /** Douyin: whether the player is logged in to Douyin (default true); when not, tt.login({ force: false }) gives only an anonymousCode. */
  loggedInToHost?: boolean;
  /** Whether the runtime tells its appid (getAccountInfoSync, getEnvInfoSync); default true. False models a WeChat base library before 2.2.2. */
  accountInfo?: boolean;
  /** What the game's require() can load: module id (e.g. `minigate.js`) → file path. */
  files?: Record<string, string>;
  /** Storage to start from, e.g. another sandbox's, to model a relaunch of the game. */
  storage?: Map<string, unknown>;
  /** The player's WeChat profile as wx.getUserInfo reports it (the simulator's default or its setUserProfile otherwise). */
  userInfo?: Record<string, unknown>;
}

export interface SandboxRequest {
  method: string;
  url: string;
  header: Record<string, string>;
}

/** How wx.getUserInfo and user info buttons answer: with the simulator's user info, or refused (no consent). */
export type UserInfoBehaviour = { kind: 'answer' } | { kind: 'deny'; errMsg?: string };

export interface MinigameSandbox {
  /** Runs a script in the sandbox (like game.js) and returns its completion value. */
  run(source: string, filename?: string): unknown;
  /** The game's require(), from outside. */
  require(id: string): unknown;
  /** wx storage, shared by the sync and async calls. */
  readonly storage: Map<string, unknown>;
  /** Every wx.request the game made, in order. */
  readonly requests: SandboxRequest[];
  /** The sandbox's global object (GameGlobal). */
  readonly global: Record<string, unknown>;
  /** The runtime's global: `wx`, `tt` or `qq` (what `runtime` chose). */
  readonly runtime: Record<string, unknown>;
  /** Douyin: logs the player in to or out of Douyin (a forced tt.login logs them in too). */
  setLoggedInToHost(loggedIn: boolean): void;
  /** Makes the following logins (wx.login, tt.login, qq.login) fail, hang or dawdle (default: answer). */
  setLoginBehaviour(behaviour: LoginBehaviour): void;
  /** Makes the following wx.getUserInfo calls and button taps answer or be refused (default: answer). */
  setUserInfoBehaviour(behaviour: UserInfoBehaviour): void;
  /** Makes the following wx.requestMidasPaymentGameItem calls pay (the simulator's /sim/pay), be cancelled or fail (default: answer). */
  setPaymentBehaviour(behaviour: PaymentBehaviour): void;
  /** Every wx.requestMidasPaymentGameItem call, in order, with its errCode (0: paid). */
  readonly payments: SandboxPayment[];
  /**
   * The player taps every shown user info button (wx.createUserInfoButton):
   * their onTap listeners get what the simulator's userInfoFor gives for
   * this player, encrypted with its current session_key. Resolves once they ran.
   */
  tapUserInfoButton(): Promise<void>;
}

interface UserInfoButton {
  shown: boolean;
  destroyed: boolean;
  withCredentials: boolean;
  listeners: Array<(result: unknown) => void>;
}

/**
 * A mini-game runtime in a node:vm context: only the globals a mini-game
 * has (wx, tt or qq; GameGlobal, console, timers, requestAnimationFrame,
 * require/module/exports), none of Node's or the browser's (no fetch,
 * AbortController, URL, TextEncoder, FormData, Blob, XMLHttpRequest).
 * request reaches real HTTP servers; login asks the simulator. WeChat's user
 * info (getUserInfo, createUserInfoButton) and virtual payment
 * (requestMidasPaymentGameItem, paid through the simulator's /sim/pay) are on wx only.
 */
export function createMinigameSandbox(options: MinigameSandboxOptions): MinigameSandbox {
  const storage = options.storage ?? new Map<string, unknown>();
  const requests: SandboxRequest[] = [];
  const runtime = options.runtime ?? 'wx';
  let loginBehaviour: LoginBehaviour = { kind: 'answer' };
  let loggedInToHost = options.loggedInToHost !== false;
  let userInfoBehaviour: UserInfoBehaviour = { kind: 'answer' };
  let paymentBehaviour: PaymentBehaviour = { kind: 'answer' };
  const payments: SandboxPayment[] = [];
  const buttons: UserInfoButton[] = [];

  /** What wx.getUserInfo answers: the simulator's user info for this player, without the credentials when withCredentials is false. */
  const fetchUserInfo = async (withCredentials: boolean): Promise<Record<string, unknown>> => {
    if (userInfoBehaviour.kind === 'deny') throw new Error(userInfoBehaviour.errMsg ?? 'auth deny');
    const body = JSON.stringify({ appid: options.appid, player: options.player, profile: options.userInfo });
    const res = await httpRequest(`${options.simulatorUrl}/sim/userinfo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      timeoutMs: 60_000,
    });
    if (res.status !== 200) throw new Error(`the simulator answered ${res.status}`);
    const info = JSON.parse(res.body) as Record<string, unknown>;
    const result: Record<string, unknown> = { userInfo: info.userInfo, rawData: info.rawData, errMsg: 'getUserInfo:ok' };
    if (withCredentials) Object.assign(result, { signature: info.signature, encryptedData: info.encryptedData, iv: info.iv });
    return result;
  };

  const common = {
    login: createRuntimeLogin({
      runtime,
      simulatorUrl: options.simulatorUrl,
      appid: options.appid,
      player: options.player,
      device: options.device ?? `${options.player}-device`,
      loggedInToHost: () => loggedInToHost,
      logInToHost: () => void (loggedInToHost = true),
      behaviour: () => loginBehaviour,
    }),
    request: createWxRequest(requests),
    ...createWxStorage(storage),
    ...(options.accountInfo === false ? {} : runtimeAccountInfo(runtime, options.appid)),
  };

  const userInfo = {
    getUserInfo(params: CallbackOptions & { withCredentials?: boolean; lang?: string } = {}) {
      return settle(params, fetchUserInfo(params.withCredentials !== false), (error) => ({ errMsg: `getUserInfo:fail ${error.message}` }));
    },

    createUserInfoButton(params: {
      type?: string;
      text?: string;
      image?: string;
      style?: Record<string, unknown>;
      withCredentials?: boolean;
      lang?: string;
    }) {
      const button: UserInfoButton = { shown: true, destroyed: false, withCredentials: params.withCredentials !== false, listeners: [] };
      buttons.push(button);
      return {
        type: params.type ?? 'text',
        text: params.text ?? '',
        image: params.image ?? '',
        style: { ...(params.style ?? {}) },
        show() {
          button.shown = true;
        },
        hide() {
          button.shown = false;
        },
        destroy() {
          button.destroyed = true;
          button.listeners = [];
        },
        onTap(listener: (result: unknown) => void) {
          button.listeners.push(listener);
        },
        offTap(listener?: (result: unknown) => void) {
          button.listeners = listener ? button.listeners.filter((l) => l !== listener) : [];
        },
      };
    },
  };

  // WeChat's virtual payment (base library 2.19.2+): on wx only.
  const requestMidasPaymentGameItem = createMidasPayment({
    simulatorUrl: options.simulatorUrl,
    appid: options.appid,
    player: options.player,
    behaviour: () => paymentBehaviour,
    payments,
  });
  const runtimeGlobal: Record<string, unknown> = runtime === 'wx' ? { ...common, ...userInfo, requestMidasPaymentGameItem } : common;
  const context = vm.createContext({
    [runtime]: runtimeGlobal,
    console,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    requestAnimationFrame: (callback: (time: number) => void) => setTimeout(() => callback(performance.now()), 16),
    cancelAnimationFrame: (handle: ReturnType<typeof setTimeout>) => clearTimeout(handle),
  });
  const global = vm.runInContext('this', context) as Record<string, unknown>;
  global.GameGlobal = global;

  const modules = new Map<string, { exports: unknown }>();
  const files = options.files ?? {};
  const require = (id: string): unknown => {
    const name = id.replace(/^\.\//, '');
    const cached = modules.get(name);
    if (cached) return cached.exports;
    const path = files[name] ?? files[`${name}.js`];
    if (!path) throw new Error(`module '${id}' is not defined`);
    const module = { exports: {} as unknown };
    modules.set(name, module);
    const wrapper = vm.runInContext(`(function (exports, require, module) {${readFileSync(path, 'utf8')}\n})`, context, {
      filename: path,
    }) as (exports: unknown, require: (id: string) => unknown, module: { exports: unknown }) => void;
    wrapper.call(module.exports, module.exports, require, module);
    return module.exports;
  };
  const gameModule = { exports: {} };
  global.require = require;
  global.module = gameModule;
  global.exports = gameModule.exports;

  return {
    run: (source, filename = 'game.js') => vm.runInContext(source, context, { filename }),
    require,
    storage,
    requests,
    global,
    runtime: runtimeGlobal,
    setLoggedInToHost(loggedIn) {
      loggedInToHost = loggedIn;
    },
    setLoginBehaviour(behaviour) {
      loginBehaviour = behaviour;
    },
    setUserInfoBehaviour(behaviour) {
      userInfoBehaviour = behaviour;
    },
    setPaymentBehaviour(behaviour) {
      paymentBehaviour = behaviour;
    },
    payments,
    async tapUserInfoButton() {
      for (const button of buttons.filter((b) => b.shown && !b.destroyed)) {
        const result = await fetchUserInfo(button.withCredentials).catch((error: Error) => ({ errMsg: `getUserInfo:fail ${error.message}` }));
        for (const listener of [...button.listeners]) listener(result);
      }
    },
  };
}
