import { errcodeTable } from './errcodes.js';
import { errcodeError, WeChatUnavailableError, type WeChatError } from './errors.js';
import { scrub } from './redact.js';
import type { WeChatTransport } from './transport.js';
import { transportFailure } from './wechat-call.js';

export interface WeChatAppCredentials {
  /** Base URL of WeChat's API, e.g. https://api.weixin.qq.com. */
  apiBase: string;
  appid: string;
  secret: string;
}

/** What jscode2session (登录凭证校验) gives for a wx.login code. */
export interface WeChatSession {
  openid: string;
  sessionKey: string;
  /** Absent for many mini-games (no open-platform binding). */
  unionid: string | null;
}

export type Code2Session = (code: string) => Promise<WeChatSession>;

interface Code2SessionAnswer {
  openid?: unknown;
  session_key?: unknown;
  unionid?: unknown;
  errcode?: unknown;
  errmsg?: unknown;
}

/** What jscode2session may answer. */
const CODE2SESSION_ERRORS = errcodeTable([
  'WeChatBusyError',
  'CodeInvalidError',
  'CodeUsedError',
  'FrequencyLimitError',
  'UserBlockedError',
  'InvalidAppIdError',
  'InvalidSecretError',
  'AppIdMissingError',
  'SecretMissingError',
  'CodeMissingError',
]);

/** The typed error for one of jscode2session's errcodes. `errmsg` must already be scrubbed. */
export function errorForErrcode(errcode: number, errmsg: string): WeChatError {
  return errcodeError(CODE2SESSION_ERRORS, errcode, `WeChat errcode ${errcode}: ${errmsg}`);
}

/**
 * Exchanges a wx.login code for the player's openid and session key. Called
 * once per code and never retried once WeChat has answered: a code is
 * single-use, and a resend after -1 would come back as 40163.
 */
export function createCode2Session(app: WeChatAppCredentials, transport: WeChatTransport): Code2Session {
  const endpoint = `${app.apiBase.replace(/\/+$/, '')}/sns/jscode2session`;
  return async (code) => {
    const query = new URLSearchParams({
      appid: app.appid,
      secret: app.secret,
      js_code: code,
      grant_type: 'authorization_code',
    });
    const secrets = [app.secret, code];
    let status: number;
    let body: string;
    try {
      ({ status, body } = await transport({ method: 'GET', url: `${endpoint}?${query.toString()}` }));
    } catch (error) {
      throw transportFailure(error, 'jscode2session', secrets);
    }

    let answer: Code2SessionAnswer;
    try {
      answer = JSON.parse(body) as Code2SessionAnswer;
    } catch {
      throw new WeChatUnavailableError(`WeChat answered HTTP ${status} without JSON`);
    }
    if (typeof answer !== 'object' || answer === null) {
      throw new WeChatUnavailableError(`WeChat answered HTTP ${status} with an unexpected body`);
    }
    // Success is "openid and session_key present": errcode may be absent or 0.
    if (typeof answer.openid === 'string' && answer.openid && typeof answer.session_key === 'string' && answer.session_key) {
      return {
        openid: answer.openid,
        sessionKey: answer.session_key,
        unionid: typeof answer.unionid === 'string' && answer.unionid ? answer.unionid : null,
      };
    }
    if (typeof answer.errcode === 'number' && answer.errcode !== 0) {
      const errmsg = scrub(typeof answer.errmsg === 'string' ? answer.errmsg : '', secrets);
      throw errorForErrcode(answer.errcode, errmsg);
    }
    throw new WeChatUnavailableError(`WeChat answered HTTP ${status} without openid and session_key`);
  };
}
