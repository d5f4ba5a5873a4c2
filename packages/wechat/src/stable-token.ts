import type { WeChatAppCredentials } from './code2session.js';
import { errcodeTable } from './errcodes.js';
import { WeChatUnavailableError } from './errors.js';
import type { WeChatTransport } from './transport.js';
import { callWeChat, wechatUrl } from './wechat-call.js';

/** An access token from stable_token (获取稳定版接口调用凭据). */
export interface StableToken {
  accessToken: string;
  /** Seconds it stays valid from WeChat's answer (at most 7200; at least 300 in normal mode). */
  expiresInSeconds: number;
}

export interface StableTokenOptions {
  /**
   * true invalidates the current token at once and returns a new one.
   * WeChat allows 20 a day, at least 30 s apart; AccessTokenManager is the
   * only caller that should ever set it.
   */
  forceRefresh?: boolean;
}

export type GetStableToken = (options?: StableTokenOptions) => Promise<StableToken>;

const STABLE_TOKEN_ERRORS = errcodeTable([
  'WeChatBusyError',
  // From stable_token itself, 40001 means a wrong AppSecret, not a bad token.
  'InvalidCredentialError',
  'InvalidAppIdError',
  'InvalidSecretError',
  'IpNotWhitelistedError',
  'AppIdMissingError',
  'SecretMissingError',
  'DailyQuotaExceededError',
  'FrequencyLimitError',
]);

/**
 * POST /cgi-bin/stable_token: the app's access token. In normal mode WeChat
 * hands every caller the same token until 5 minutes before it expires, so
 * instances do not invalidate each other's (never GET /cgi-bin/token, which
 * does). The secret travels in the JSON body, never in a URL.
 */
export function createGetStableToken(app: WeChatAppCredentials, transport: WeChatTransport): GetStableToken {
  const url = wechatUrl(app.apiBase, 'cgi-bin/stable_token');
  return async (options = {}) => {
    const body = JSON.stringify({
      grant_type: 'client_credential',
      appid: app.appid,
      secret: app.secret,
      force_refresh: options.forceRefresh === true,
    });
    const answer = await callWeChat({
      transport,
      name: 'stable_token',
      method: 'POST',
      url,
      body,
      secrets: [app.secret],
      errors: STABLE_TOKEN_ERRORS,
    });
    const { access_token: accessToken, expires_in: expiresIn } = answer as { access_token?: unknown; expires_in?: unknown };
    if (typeof accessToken !== 'string' || !accessToken || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      throw new WeChatUnavailableError('stable_token: WeChat answered without access_token and expires_in');
    }
    return { accessToken, expiresInSeconds: expiresIn };
  };
}
