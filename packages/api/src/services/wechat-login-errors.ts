import {
  CodeInvalidError,
  CodeUsedError,
  FrequencyLimitError,
  UserBlockedError,
  WeChatBusyError,
  WeChatCircuitOpenError,
  WeChatMisconfiguredError,
  WeChatTimeoutError,
  WeChatUnavailableError,
} from '@minigate/wechat';
import { MinigateError, type MinigateErrorOptions } from '../errors.js';

type LoginError = Omit<MinigateErrorOptions, 'cause'>;

/**
 * What the player sees when jscode2session fails. Upstream faults are
 * 502/503/504 with a reason, never a bare 500; only our own
 * misconfiguration is a 500 (the login service logs it loudly).
 */
const LOGIN_ERRORS: ReadonlyArray<readonly [abstract new (...args: never[]) => Error, LoginError]> = [
  [CodeInvalidError, { code: 'BAD_REQUEST', reason: 'CODE_INVALID', message: 'The login code is invalid or expired: call wx.login again' }],
  [CodeUsedError, { code: 'BAD_REQUEST', reason: 'CODE_USED', message: 'The login code was already used: call wx.login again' }],
  [
    WeChatBusyError,
    { code: 'SERVICE_UNAVAILABLE', reason: 'WECHAT_BUSY', message: 'WeChat is busy: call wx.login again in a moment', retryAfterSeconds: 1 },
  ],
  [
    FrequencyLimitError,
    {
      code: 'TOO_MANY_REQUESTS',
      reason: 'WECHAT_RATE_LIMITED',
      message: 'Too many logins for this player: try again in a minute',
      retryAfterSeconds: 60,
    },
  ],
  [UserBlockedError, { code: 'FORBIDDEN', reason: 'WECHAT_USER_BLOCKED', message: 'WeChat blocks this player from logging in' }],
  [
    WeChatMisconfiguredError,
    { code: 'INTERNAL_SERVER_ERROR', reason: 'WECHAT_MISCONFIGURED', message: 'The server cannot log players in: its WeChat configuration is wrong' },
  ],
  [
    WeChatTimeoutError,
    { code: 'GATEWAY_TIMEOUT', reason: 'WECHAT_TIMEOUT', message: 'WeChat did not answer in time: call wx.login again', retryAfterSeconds: 1 },
  ],
  [
    WeChatCircuitOpenError,
    {
      code: 'SERVICE_UNAVAILABLE',
      reason: 'WECHAT_UNAVAILABLE',
      message: 'WeChat is unreachable right now: try again shortly',
      retryAfterSeconds: 10,
    },
  ],
  [
    WeChatUnavailableError,
    { code: 'BAD_GATEWAY', reason: 'WECHAT_UNAVAILABLE', message: 'WeChat could not be reached: try again shortly', retryAfterSeconds: 5 },
  ],
];

const OTHER_WECHAT_ERROR: LoginError = { code: 'BAD_GATEWAY', reason: 'WECHAT_ERROR', message: 'WeChat refused the login' };

export function loginErrorFromWeChat(error: unknown): MinigateError {
  const found = LOGIN_ERRORS.find(([ErrorClass]) => error instanceof ErrorClass)?.[1] ?? OTHER_WECHAT_ERROR;
  // While the breaker is open, Retry-After says when it lets a call through again.
  const retryAfterSeconds = error instanceof WeChatCircuitOpenError ? error.retryAfterSeconds : found.retryAfterSeconds;
  return new MinigateError({ ...found, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}), cause: error });
}
