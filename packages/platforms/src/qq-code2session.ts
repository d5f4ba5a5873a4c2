// QQ's code2Session (登录凭证校验).
// Confirmed in QQ's docs (q.qq.com/wiki, mini-game and mini-program server API → 登录 → code2Session):
// GET https://api.q.qq.com/sns/jscode2session?appid&secret&js_code&grant_type=authorization_code,
// answering openid, session_key, unionid (when the UnionID conditions hold), errcode, errmsg;
// errcodes -1 (busy), 0, 40029 (invalid code), 45011 (frequency limit: 100 a minute per user).
// Not confirmed: what QQ answers for a wrong appid or secret here (we map 40013 and 40125 as WeChat's
// API does, which QQ's copies); a reported undocumented -1009 stays an unknown errcode (QQUnknownError).
import type { WeChatTransport } from '@minigate/wechat';
import { qqErrcodeTable } from './errcodes.js';
import { callPlatform, errcodeFailure, unexpectedAnswer, type PlatformCall } from './platform-call.js';
import { platformUrl, textField, type PlatformAppCredentials, type PlatformSession } from './platform.js';

/** A qq.login code → the player's session; anonymousOpenid is always null. */
export type QQCode2Session = (code: string) => Promise<PlatformSession>;

const JSCODE2SESSION_ERRORS = qqErrcodeTable([
  'QQBusyError',
  'QQCodeInvalidError',
  'QQFrequencyLimitError',
  'QQAppIdInvalidError',
  'QQSecretInvalidError',
]);

/** Exchanges a qq.login code for the player's openid, unionid and session key. Called once per code, never retried. */
export function createQQCode2Session(app: PlatformAppCredentials, transport: WeChatTransport): QQCode2Session {
  return async (code) => {
    const query = { appid: app.appid, secret: app.secret, js_code: code, grant_type: 'authorization_code' };
    const call: PlatformCall = {
      platform: 'qq',
      transport,
      name: 'jscode2session',
      method: 'GET',
      url: platformUrl(app.apiBase, 'sns/jscode2session', query),
      secrets: [app.secret, code],
    };
    const { status, answer } = await callPlatform(call);
    const openid = textField(answer.openid);
    const sessionKey = textField(answer.session_key);
    if (openid && sessionKey && status >= 200 && status <= 299)
      return { openid, sessionKey, unionid: textField(answer.unionid), anonymousOpenid: null };
    if (typeof answer.errcode === 'number' && answer.errcode !== 0) throw errcodeFailure(call, JSCODE2SESSION_ERRORS, answer.errcode, answer.errmsg);
    throw unexpectedAnswer(call, status, 'openid and session_key');
  };
}
