import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import vm from 'node:vm';

export interface MinigameSandboxOptions {
  /** The WeChat simulator that wx.login asks for a code. */
  simulatorUrl: string;
  appid: string;
  /** The simulated player this device belongs to. */
  player: string;
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

/** How the sandbox's wx.login behaves: as WeChat's, or failing, never answering, or slow. */
export type LoginBehaviour = { kind: 'answer' } | { kind: 'fail'; errMsg: string } | { kind: 'hang' } | { kind: 'delay'; ms: number };

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
  /** Makes the following wx.login calls fail, hang or dawdle (default: answer). */
  setLoginBehaviour(behaviour: LoginBehaviour): void;
  /** Makes the following wx.getUserInfo calls and button taps answer or be refused (default: answer). */
  setUserInfoBehaviour(behaviour: UserInfoBehaviour): void;
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

/** wx.request's concurrency limit in the mini-game runtime. */
const MAX_REQUESTS_IN_FLIGHT = 10;
const METHODS = new Set(['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'CONNECT']);

type Callback = ((result: unknown) => void) | undefined;
interface CallbackOptions {
  success?: Callback;
  fail?: Callback;
  complete?: Callback;
}

/** Calls success/fail/complete the way wx does, or returns a promise when none is given. */
function settle<T>(options: CallbackOptions, work: Promise<T>, failure: (error: Error) => { errMsg: string }): Promise<T> | undefined {
  const hasCallbacks = Boolean(options.success || options.fail || options.complete);
  const outcome = work.then(
    (value) => ({ ok: true as const, value }),
    (error: Error) => ({ ok: false as const, error: failure(error) }),
  );
  if (!hasCallbacks) {
    return outcome.then((result) => (result.ok ? result.value : Promise.reject(result.error)));
  }
  void outcome.then((result) => {
    if (result.ok) options.success?.(result.value);
    else options.fail?.(result.error);
    options.complete?.(result.ok ? result.value : result.error);
  });
  return undefined;
}

function httpRequest(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; timeoutMs: number },
  onStart?: (abort: () => void) => void,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const requester = url.startsWith('https:') ? https.request : http.request;
    const req = requester(url, { method: init.method, headers: init.headers, timeout: init.timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = String(value);
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    onStart?.(() => req.destroy(new Error('abort')));
    req.end(init.body);
  });
}

function queryString(data: unknown): string {
  if (data === undefined || data === null) return '';
  if (typeof data === 'string') return data;
  const params: string[] = [];
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    params.push(`${encodeURIComponent(key)}=${encodeURIComponent(typeof value === 'object' ? JSON.stringify(value) : String(value))}`);
  }
  return params.join('&');
}

/**
 * A mini-game runtime in a node:vm context: only the globals a WeChat
 * mini-game has (wx, GameGlobal, console, timers, requestAnimationFrame,
 * require/module/exports), none of Node's or the browser's (no fetch,
 * AbortController, URL, TextEncoder, FormData, Blob, XMLHttpRequest).
 * wx.request reaches real HTTP servers; wx.login asks the WeChat simulator.
 */
export function createMinigameSandbox(options: MinigameSandboxOptions): MinigameSandbox {
  const storage = options.storage ?? new Map<string, unknown>();
  const requests: SandboxRequest[] = [];
  let inFlight = 0;
  let loginBehaviour: LoginBehaviour = { kind: 'answer' };
  let userInfoBehaviour: UserInfoBehaviour = { kind: 'answer' };
  const buttons: UserInfoButton[] = [];

  const askSimulatorForCode = async (): Promise<{ code: string; errMsg: string }> => {
    const query = new URLSearchParams({ appid: options.appid, player: options.player });
    const res = await httpRequest(`${options.simulatorUrl}/sim/login?${query.toString()}`, { method: 'GET', headers: {}, timeoutMs: 60_000 });
    if (res.status !== 200) throw new Error(`the simulator answered ${res.status}`);
    return { code: (JSON.parse(res.body) as { code: string }).code, errMsg: 'login:ok' };
  };

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

  const wx = {
    login(params: CallbackOptions & { timeout?: number } = {}) {
      const behaviour = loginBehaviour;
      const work =
        behaviour.kind === 'fail'
          ? Promise.reject(new Error(behaviour.errMsg))
          : behaviour.kind === 'hang'
            ? new Promise<never>(() => {})
            : behaviour.kind === 'delay'
              ? new Promise<void>((done) => setTimeout(done, behaviour.ms)).then(askSimulatorForCode)
              : askSimulatorForCode();
      return settle(params, work, (error) => ({ errMsg: `login:fail ${error.message}` }));
    },

    request(
      params: CallbackOptions & {
        url: string;
        data?: unknown;
        header?: Record<string, string>;
        method?: string;
        dataType?: string;
        responseType?: string;
        timeout?: number;
      },
    ) {
      let abort: (() => void) | undefined;
      let aborted = false;
      const work = (async () => {
        const method = (params.method ?? 'GET').toUpperCase();
        if (!METHODS.has(method)) throw new Error(`invalid method ${method}`);
        if (!/^https?:\/\//.test(params.url)) throw new Error('invalid url');
        if (inFlight >= MAX_REQUESTS_IN_FLIGHT) throw new Error('exceed max task count');
        const header: Record<string, string> = { ...(params.header ?? {}) };
        let url = params.url;
        let body: string | undefined;
        if (method === 'GET') {
          const query = queryString(params.data);
          if (query) url += (url.includes('?') ? '&' : '?') + query;
        } else if (params.data !== undefined) {
          const contentType = Object.entries(header).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? 'application/json';
          body =
            typeof params.data === 'string' ? params.data : contentType.includes('json') ? JSON.stringify(params.data) : queryString(params.data);
          if (!Object.keys(header).some((name) => name.toLowerCase() === 'content-type')) header['content-type'] = contentType;
        }
        requests.push({ method, url, header });
        inFlight += 1;
        try {
          const res = await httpRequest(url, { method, headers: header, body, timeoutMs: params.timeout ?? 60_000 }, (a) => {
            abort = a;
            if (aborted) a();
          });
          let data: unknown = res.body;
          if ((params.dataType ?? 'json') === 'json') {
            try {
              data = JSON.parse(res.body);
            } catch {
              // wx leaves a body that is not JSON as the string it was.
            }
          }
          return { data, statusCode: res.status, header: res.headers, cookies: [], errMsg: 'request:ok' };
        } finally {
          inFlight -= 1;
        }
      })();
      // wx.request answers with a task, never a promise: without callbacks a failure goes nowhere.
      settle(params, work, (error) => ({ errMsg: `request:fail ${error.message}` }))?.catch(() => undefined);
      return {
        abort() {
          aborted = true;
          abort?.();
        },
      };
    },

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

    setStorageSync(key: string, data: unknown) {
      storage.set(key, structuredClone(data));
    },
    getStorageSync(key: string) {
      return storage.has(key) ? structuredClone(storage.get(key)) : '';
    },
    removeStorageSync(key: string) {
      storage.delete(key);
    },
    clearStorageSync() {
      storage.clear();
    },
    setStorage(params: CallbackOptions & { key: string; data: unknown }) {
      return settle(
        params,
        Promise.resolve().then(() => (wx.setStorageSync(params.key, params.data), { errMsg: 'setStorage:ok' })),
        (e) => ({ errMsg: `setStorage:fail ${e.message}` }),
      );
    },
    getStorage(params: CallbackOptions & { key: string }) {
      const work = Promise.resolve().then(() => {
        if (!storage.has(params.key)) throw new Error('data not found');
        return { data: wx.getStorageSync(params.key), errMsg: 'getStorage:ok' };
      });
      return settle(params, work, (e) => ({ errMsg: `getStorage:fail ${e.message}` }));
    },
    removeStorage(params: CallbackOptions & { key: string }) {
      return settle(
        params,
        Promise.resolve().then(() => (wx.removeStorageSync(params.key), { errMsg: 'removeStorage:ok' })),
        (e) => ({ errMsg: `removeStorage:fail ${e.message}` }),
      );
    },
  };

  const context = vm.createContext({
    wx,
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
    setLoginBehaviour(behaviour) {
      loginBehaviour = behaviour;
    },
    setUserInfoBehaviour(behaviour) {
      userInfoBehaviour = behaviour;
    },
    async tapUserInfoButton() {
      for (const button of buttons.filter((b) => b.shown && !b.destroyed)) {
        const result = await fetchUserInfo(button.withCredentials).catch((error: Error) => ({ errMsg: `getUserInfo:fail ${error.message}` }));
        for (const listener of [...button.listeners]) listener(result);
      }
    },
  };
}
