// QQ's getAccessToken (接口调用凭证).
// Confirmed in QQ's docs (q.qq.com/wiki/develop/game/server/open-port/getAccessToken.html):
// GET https://api.q.qq.com/api/getToken?grant_type=client_credential&appid=APPID&secret=APPSECRET,
// answering {access_token, expires_in} (7200 s or less) or {errcode, errmsg}: -1 (busy), 40001 (the
// secret is wrong), 40002 (grant_type), 40013 (appid). "重复获取将导致上次获取的 access_token 失效":
// fetch it once for every instance (AccessTokenManager's store does) and never per request.
// Not confirmed: which errcodes QQ's other server APIs answer for a refused token (WeChat's 40001/42001).
import type { GetStableToken, WeChatTransport } from '@minigate/wechat';
import { qqErrcodeTable } from './errcodes.js';
import { callPlatform, errcodeFailure, unexpectedAnswer, type PlatformCall } from './platform-call.js';
import { platformUrl, type PlatformAppCredentials } from './platform.js';

const TOKEN_ERRORS = qqErrcodeTable(['QQBusyError', 'QQSecretInvalidError', 'QQGrantTypeInvalidError', 'QQAppIdInvalidError']);

/**
 * The app's access token from GET /api/getToken, shaped as @minigate/wechat's
 * GetStableToken for an AccessTokenManager. QQ takes the secret in the query
 * only; it never reaches a message (scrubbed), and the transport never puts
 * the URL into an error.
 */
export function createGetQQToken(app: PlatformAppCredentials, transport: WeChatTransport): GetStableToken {
  const url = platformUrl(app.apiBase, 'api/getToken', { grant_type: 'client_credential', appid: app.appid, secret: app.secret });
  return async () => {
    const call: PlatformCall = { platform: 'qq', transport, name: 'getToken', method: 'GET', url, secrets: [app.secret] };
    const { status, answer } = await callPlatform(call);
    if (typeof answer.errcode === 'number' && answer.errcode !== 0) throw errcodeFailure(call, TOKEN_ERRORS, answer.errcode, answer.errmsg);
    const { access_token: accessToken, expires_in: expiresIn } = answer;
    if (typeof accessToken !== 'string' || !accessToken || typeof expiresIn !== 'number' || !(expiresIn > 0) || status < 200 || status > 299) {
      throw unexpectedAnswer(call, status, 'access_token and expires_in');
    }
    return { accessToken, expiresInSeconds: expiresIn };
  };
}
