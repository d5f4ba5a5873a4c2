/** The mini-game platforms a deployment serves games on. */
export type Platform = 'wechat' | 'douyin' | 'qq';

export const PLATFORMS: readonly Platform[] = ['wechat', 'douyin', 'qq'];

/** How messages and log lines name the platforms. */
export const PLATFORM_NAMES: Record<Platform, string> = { wechat: 'WeChat', douyin: 'Douyin', qq: 'QQ' };

/** What an identity of an account is, as `account.me` lists it (never its identifier or credential). */
export interface IdentityView {
  /** null for an identity of no platform (a phone number). */
  platform: Platform | null;
  /** The game, for an openid or a guest; null for a unionid (the platform's, across games) or a phone. */
  appid: string | null;
  kind: 'openid' | 'unionid' | 'anonymous' | 'phone';
}

/**
 * account_auth.auth_type of a player's openid in one game: an openid belongs
 * to one appid (`wechat_openid:<appid>`, `douyin_openid:<appid>`,
 * `qq_openid:<appid>`). Its credential is the player's current session key.
 */
export function openidAuthType(platform: Platform, appid: string): string {
  return `${platform}_openid:${appid}`;
}

/**
 * auth_type of a unionid: the same person across the games of one platform
 * account (`wechat_unionid`, `douyin_unionid`, `qq_unionid`). Unionids of
 * different platforms are different auth types, so they never join.
 */
export function unionidAuthType(platform: Platform): string {
  return `${platform}_unionid`;
}

/** auth_type of a Douyin guest (tt.login's anonymousCode): one device in one game. */
export function anonymousAuthType(appid: string): string {
  return `douyin_anonymous:${appid}`;
}

/** auth_type of a bound phone number. */
export const PHONE_AUTH_TYPE = 'phone';

const PLATFORM_IDENTITY = /^(wechat|douyin|qq)_(openid|unionid|anonymous)(?::(.+))?$/;

/** What an auth_type says, or null for one that is not a player's way in (a seed's, an operator's). */
export function identityOf(authType: string): IdentityView | null {
  if (authType === PHONE_AUTH_TYPE) return { platform: null, appid: null, kind: 'phone' };
  const match = PLATFORM_IDENTITY.exec(authType);
  if (!match) return null;
  const [, platform, kind, appid] = match as unknown as [string, Platform, IdentityView['kind'], string | undefined];
  if ((kind === 'unionid') !== (appid === undefined)) return null;
  return { platform, appid: appid ?? null, kind };
}
