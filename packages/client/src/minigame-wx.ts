/**
 * The part of a mini-game runtime that the client uses: WeChat's `wx`,
 * Douyin's `tt` or QQ's `qq`. Structural, so the global of any engine
 * (Cocos Creator, LayaAir, plain game.js) fits, with or without the official
 * typings (minigame-api-typings' `WechatMinigame.Wx`, @douyin-microapp/typings'
 * `tt`), without a cast.
 */
export interface MinigameRuntime {
  request(options: WxRequestOptions): { abort(): void };
  /**
   * wx.login / qq.login answer a `code`; tt.login answers an `anonymousCode`
   * (the device) always and a `code` when the player is logged in to Douyin,
   * and shows Douyin's login dialog first unless `force` is false.
   */
  login(options: {
    force?: boolean;
    timeout?: number;
    success?: (result: { code?: string; anonymousCode?: string }) => void;
    fail?: (error?: { errMsg?: string }) => void;
  }): unknown;
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, data: unknown): void;
  removeStorageSync(key: string): void;
  /** WeChat's and QQ's: the appid is `miniProgram.appId`. */
  getAccountInfoSync?(): { miniProgram: { appId: string } };
  /** Douyin's: the appid is `microapp.appId`. */
  getEnvInfoSync?(): { microapp: { appId: string } };
  /**
   * WeChat's virtual payment of an item (base library 2.19.2+), for
   * `payments.buyItem`. `signData` is the JSON string the server signed;
   * `any`, because minigame-api-typings types it as an object (WeChat refuses
   * one: -15011).
   */
  requestMidasPaymentGameItem?(options: {
    signData: any;
    paySig: string;
    signature: string;
    success?: (result: { errMsg?: string }) => void;
    fail?: (failure: MidasPaymentFailure) => void;
  }): void;
}

/** What wx.requestMidasPaymentGameItem's fail callback gets, e.g. `{ errMsg: 'requestMidasPaymentGameItem:fail cancel', errCode: 1 }`. */
export interface MidasPaymentFailure {
  errMsg?: string;
  errCode?: number;
}

/** The name the client had before it ran on Douyin and QQ: any runtime (wx, tt, qq) fits. */
export type MinigameWx = MinigameRuntime;

export interface WxRequestOptions {
  url: string;
  /** The client sends only these (every runtime has them). */
  method?: 'GET' | 'POST';
  /**
   * The client sends a string (a JSON body). `any`, because the runtimes'
   * typings disagree: minigame-api-typings says string or object,
   * @douyin-microapp/typings object or ArrayBuffer (tt.request sends a string all the same).
   */
  data?: any;
  header?: Record<string, string>;
  dataType?: string;
  responseType?: 'text';
  timeout?: number;
  success?: (result: WxRequestSuccess) => void;
  fail?: (error: { errMsg: string }) => void;
}

export interface WxRequestSuccess {
  data: unknown;
  statusCode: number;
  header: Record<string, string>;
}
