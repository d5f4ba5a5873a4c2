/**
 * The part of the mini-game's `wx` that the client uses. Structural, so the
 * `wx` of any engine (Cocos Creator, LayaAir, plain game.js) fits, with or
 * without the official minigame-api-typings.
 */
export interface MinigameWx {
  request(options: WxRequestOptions): { abort(): void };
  login(options: { success?: (result: { code: string }) => void; fail?: (error?: { errMsg?: string }) => void; timeout?: number }): unknown;
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, data: unknown): void;
  removeStorageSync(key: string): void;
}

export interface WxRequestOptions {
  url: string;
  method?: 'OPTIONS' | 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'TRACE' | 'CONNECT';
  data?: string;
  header?: Record<string, string>;
  dataType?: string;
  responseType?: 'text' | 'arraybuffer';
  timeout?: number;
  success?: (result: WxRequestSuccess) => void;
  fail?: (error: { errMsg: string }) => void;
}

export interface WxRequestSuccess {
  data: unknown;
  statusCode: number;
  header: Record<string, string>;
}
