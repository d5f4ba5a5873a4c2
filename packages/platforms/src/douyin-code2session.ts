// Douyin's code2Session for mini-games (登录凭证校验).
// Confirmed in Douyin's docs (developer.open-douyin.com, mini-game → server → log-in → code2Session):
// GET https://minigame.zijieapi.com/mgplatform/api/apps/jscode2session with appid, secret, code and
// anonymous_code (at least one of the two) in the query; the answer is flat: error (0, else non-0),
// errcode, errmsg, message, session_key, openid, anonymous_openid, unionid. session_key and openid come
// only for a code, anonymous_openid only for an anonymous_code; codes are single-use. Errcodes -1
// (system), 40015 (appid), 40017 (secret), 40018 (code), 40019 (anonymous code), "other: a parameter
// is empty". The mini-app endpoint (POST developer.toutiao.com/api/apps/v2/jscode2session) wraps the
// same fields as {err_no, err_tips, log_id, data}.
// Not confirmed: 40014 as the number for a missing parameter (the docs say "other"; the issue names
// 40014), the exact errmsg texts, and whether a guest's answer carries session_key at all (we return "").
import type { WeChatTransport } from '@minigate/wechat';
import { readDouyinAnswer } from './douyin-answer.js';
import { douyinErrcodeTable } from './errcodes.js';
import { callPlatform, errcodeFailure, unexpectedAnswer, type PlatformCall } from './platform-call.js';
import { platformUrl, textField, type PlatformAppCredentials, type PlatformSession } from './platform.js';

export type DouyinCode2Session = (input: { code?: string; anonymousCode?: string }) => Promise<PlatformSession>;

const JSCODE2SESSION_ERRORS = douyinErrcodeTable([
  'DouyinBusyError',
  'DouyinParameterMissingError',
  'DouyinAppIdInvalidError',
  'DouyinSecretInvalidError',
  'DouyinCodeInvalidError',
  'DouyinAnonymousCodeInvalidError',
]);

/**
 * Exchanges tt.login's code, anonymousCode, or both for the player's openid,
 * anonymous_openid, unionid and session key. Called once per code, never
 * retried: codes are single-use.
 *
 * @example
 * const code2Session = createDouyinCode2Session({ appid, secret, apiBase: DOUYIN_API_BASE }, transport.send);
 * const guest = await code2Session({ anonymousCode }); // { openid: null, anonymousOpenid: '...', sessionKey: '' }
 */
export function createDouyinCode2Session(app: PlatformAppCredentials, transport: WeChatTransport): DouyinCode2Session {
  return async ({ code, anonymousCode }) => {
    if (!code && !anonymousCode) throw new TypeError('Douyin jscode2session needs a code, an anonymous code, or both');
    const query: Record<string, string> = { appid: app.appid, secret: app.secret };
    if (code) query.code = code;
    if (anonymousCode) query.anonymous_code = anonymousCode;
    const call: PlatformCall = {
      platform: 'douyin',
      transport,
      name: 'jscode2session',
      method: 'GET',
      url: platformUrl(app.apiBase, 'mgplatform/api/apps/jscode2session', query),
      secrets: [app.secret, code, anonymousCode],
    };
    const { status, answer } = await callPlatform(call);
    const { failure, fields } = readDouyinAnswer(answer);
    if (failure) throw errcodeFailure(call, JSCODE2SESSION_ERRORS, failure.errcode, failure.errmsg);
    const session: PlatformSession = {
      openid: textField(fields.openid),
      anonymousOpenid: textField(fields.anonymous_openid),
      unionid: textField(fields.unionid),
      sessionKey: textField(fields.session_key) ?? '',
    };
    if (code && !(session.openid && session.sessionKey)) throw unexpectedAnswer(call, status, 'openid and session_key');
    if (anonymousCode && !session.anonymousOpenid) throw unexpectedAnswer(call, status, 'anonymous_openid');
    if (status < 200 || status > 299) throw unexpectedAnswer(call, status, 'a 2xx status');
    return session;
  };
}
