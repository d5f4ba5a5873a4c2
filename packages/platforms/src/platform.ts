/** The mini-game platforms minigate serves. */
export type Platform = 'wechat' | 'douyin' | 'qq';

/** Douyin's mini-game server API (字节小游戏 OpenAPI): jscode2session, the token, user storage. */
export const DOUYIN_API_BASE = 'https://minigame.zijieapi.com';
/** QQ's mini-game server API. */
export const QQ_API_BASE = 'https://api.q.qq.com';

export interface PlatformAppCredentials {
  appid: string;
  secret: string;
  /**
   * Replaces only the scheme and host of the platform's own URLs
   * (DOUYIN_API_BASE, QQ_API_BASE): `http://127.0.0.1:4000` for Douyin calls
   * `http://127.0.0.1:4000/mgplatform/api/apps/jscode2session`.
   */
  apiBase: string;
}

/** What a platform's code2Session gives for a login. */
export interface PlatformSession {
  /** The player's openid in this app; null for a Douyin guest (anonymous code only). */
  openid: string | null;
  /** Douyin's anonymous_openid, when an anonymous code was sent; always null for QQ. */
  anonymousOpenid: string | null;
  /** Absent unless the app is bound to the platform's open platform account. */
  unionid: string | null;
  /** The session key; empty for a Douyin guest (Douyin hands one out only for a code). */
  sessionKey: string;
}

/** `${apiBase}/${path}?query`, the apiBase standing for the platform's scheme and host. */
export function platformUrl(apiBase: string, path: string, query?: Record<string, string>): string {
  const base = `${apiBase.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  return query ? `${base}?${new URLSearchParams(query).toString()}` : base;
}

/** A string field of an answer, or null when it is absent or empty. */
export const textField = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);
