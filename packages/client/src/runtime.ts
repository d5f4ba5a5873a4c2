import type { MinigameRuntime } from './minigame-wx.js';

// The runtimes' globals, looked up by name (typeof on an undeclared global is safe).
declare const tt: MinigameRuntime | undefined;
declare const qq: MinigameRuntime | undefined;
declare const wx: MinigameRuntime | undefined;

export type RuntimeName = 'wx' | 'tt' | 'qq';

/**
 * The runtime the game runs on, when the game passed none: Douyin's `tt`,
 * then QQ's `qq` (QQ keeps a `wx` too, for games written for WeChat), then
 * WeChat's `wx`.
 */
export function findRuntime(): MinigameRuntime {
  if (typeof tt !== 'undefined' && tt) return tt;
  if (typeof qq !== 'undefined' && qq) return qq;
  if (typeof wx !== 'undefined' && wx) return wx;
  throw new Error('minigate: no mini-game runtime (wx, tt or qq) found: pass createClient({ runtime })');
}

/** Which runtime `runtime` is: the global `tt` or `qq`, or one with Douyin's getEnvInfoSync, else WeChat's. */
export function runtimeName(runtime: MinigameRuntime): RuntimeName {
  if ((typeof tt !== 'undefined' && runtime === tt) || typeof runtime.getEnvInfoSync === 'function') return 'tt';
  return typeof qq !== 'undefined' && runtime === qq ? 'qq' : 'wx';
}

/** The game's appid as the runtime reports it (tt.getEnvInfoSync, wx/qq.getAccountInfoSync), or null when it tells none. */
export function appidOf(runtime: MinigameRuntime): string | null {
  try {
    const appid = runtime.getEnvInfoSync ? runtime.getEnvInfoSync().microapp.appId : runtime.getAccountInfoSync?.().miniProgram.appId;
    // WeChat DevTools' tourist mode (no appid of the developer's) says touristappid.
    return typeof appid === 'string' && appid !== '' && appid !== 'touristappid' ? appid : null;
  } catch {
    // An old base library, or a runtime stub without account info.
    return null;
  }
}
