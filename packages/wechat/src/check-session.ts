import { sessionSignature } from './data-crypto.js';
import { ACCESS_TOKEN_CALL_ERRCODES, errcodeTable } from './errcodes.js';
import { SessionKeyInvalidError } from './errors.js';
import type { WeChatTransport } from './transport.js';
import { callWeChat, wechatUrl, type WeChatApiOptions } from './wechat-call.js';

export interface SessionKeyCheck {
  accessToken: string;
  openid: string;
  /** The session key the server holds for the player. */
  sessionKey: string;
}

/** Resolves true while WeChat still holds `sessionKey` as the player's, false once it does not (87009). */
export type CheckSessionKey = (check: SessionKeyCheck) => Promise<boolean>;

const CHECK_SESSION_ERRORS = errcodeTable([...ACCESS_TOKEN_CALL_ERRCODES, 'SessionKeyInvalidError']);

/**
 * GET /wxa/checksession (auth.checkSessionKey): whether the server's
 * session_key is still the player's current one, without sending it: the
 * signature is hmac_sha256(session_key, ""). Every other failure is thrown,
 * AccessTokenInvalidError included (for AccessTokenManager.withAccessToken).
 */
export function createCheckSessionKey(api: WeChatApiOptions, transport: WeChatTransport): CheckSessionKey {
  return async ({ accessToken, openid, sessionKey }) => {
    const url = wechatUrl(api.apiBase, 'wxa/checksession', {
      access_token: accessToken,
      openid,
      signature: sessionSignature(sessionKey, ''),
      sig_method: 'hmac_sha256',
    });
    try {
      await callWeChat({ transport, name: 'checksession', method: 'GET', url, secrets: [accessToken, sessionKey], errors: CHECK_SESSION_ERRORS });
      return true;
    } catch (error) {
      if (error instanceof SessionKeyInvalidError) return false;
      throw error;
    }
  };
}
