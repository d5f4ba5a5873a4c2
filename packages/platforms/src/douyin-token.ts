// Douyin's getAccessToken for mini-games (接口调用凭证).
// Confirmed in Douyin's docs (mini-game → server → interface-request-credential → getAccessToken):
// POST https://minigame.zijieapi.com/mgplatform/api/apps/v2/token, content-type application/json,
// body {appid, secret, grant_type: "client_credential"}; a token lasts 2 hours and fetching again cuts
// the previous one to 5 minutes ("重复获取会导致之前一次获取的 access_token 的有效期缩短为 5 分钟"); errcodes
// -1, 40015 (appid), 40017 (secret), 40020 (grant_type), "other: a parameter is empty". The answer shape
// {err_no, err_tips, data: {access_token, expires_in}} is confirmed on the same endpoint's mini-app and
// live-interaction pages (e.g. {"err_no": 40017, "err_tips": "bad secret", "data": {"access_token": "",
// "expires_in": 0}}); the mini-game page's own example was not visible. A flat answer is read too.
// Douyin also has a stable token (POST .../mgplatform/api/apps/stable_token); the issue asks for v2/token.
import type { GetStableToken, WeChatTransport } from '@minigate/wechat';
import { readDouyinAnswer } from './douyin-answer.js';
import { douyinErrcodeTable } from './errcodes.js';
import { callPlatform, errcodeFailure, unexpectedAnswer, type PlatformCall } from './platform-call.js';
import { platformUrl, type PlatformAppCredentials } from './platform.js';

const TOKEN_ERRORS = douyinErrcodeTable([
  'DouyinBusyError',
  'DouyinParameterMissingError',
  'DouyinAppIdInvalidError',
  'DouyinSecretInvalidError',
  'DouyinGrantTypeInvalidError',
]);

/**
 * The app's access token from POST /mgplatform/api/apps/v2/token, shaped as
 * @minigate/wechat's GetStableToken so that an AccessTokenManager keeps it
 * (shared by every instance through its store, refreshed single-flight: a
 * second fetch would cut the first instance's token to 5 minutes). Every
 * call mints a new token: `forceRefresh` changes nothing. The secret
 * travels in the body, never in a URL.
 */
export function createGetDouyinToken(app: PlatformAppCredentials, transport: WeChatTransport): GetStableToken {
  const url = platformUrl(app.apiBase, 'mgplatform/api/apps/v2/token');
  return async () => {
    const call: PlatformCall = {
      platform: 'douyin',
      transport,
      name: 'token',
      method: 'POST',
      url,
      body: JSON.stringify({ appid: app.appid, secret: app.secret, grant_type: 'client_credential' }),
      secrets: [app.secret],
    };
    const { status, answer } = await callPlatform(call);
    const { failure, fields } = readDouyinAnswer(answer);
    if (failure) throw errcodeFailure(call, TOKEN_ERRORS, failure.errcode, failure.errmsg);
    const { access_token: accessToken, expires_in: expiresIn } = fields;
    if (typeof accessToken !== 'string' || !accessToken || typeof expiresIn !== 'number' || !(expiresIn > 0) || status < 200 || status > 299) {
      throw unexpectedAnswer(call, status, 'access_token and expires_in');
    }
    return { accessToken, expiresInSeconds: expiresIn };
  };
}
