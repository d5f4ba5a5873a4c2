import {
  CodeInvalidError,
  CodeUsedError,
  FrequencyLimitError,
  UserBlockedError,
  WeChatBusyError,
  WeChatMisconfiguredError,
  WeChatTimeoutError,
  WeChatUnavailableError,
} from '@minigate/wechat';
import { MinigateError } from '../errors.js';

/**
 * What the player sees when jscode2session fails. Upstream faults are
 * 502/503/504 with a reason, never a bare 500; only our own
 * misconfiguration is a 500 (the caller logs it loudly).
 */
export function loginErrorFromWeChat(error: unknown): MinigateError {
  if (error instanceof CodeInvalidError) {
    return new MinigateError({ code: 'BAD_REQUEST', reason: 'CODE_INVALID', message: 'The login code is invalid or expired: call wx.login again', cause: error });
  }
  if (error instanceof CodeUsedError) {
    return new MinigateError({ code: 'BAD_REQUEST', reason: 'CODE_USED', message: 'The login code was already used: call wx.login again', cause: error });
  }
  if (error instanceof WeChatBusyError) {
    return new MinigateError({ code: 'SERVICE_UNAVAILABLE', reason: 'WECHAT_BUSY', message: 'WeChat is busy: call wx.login again in a moment', retryAfterSeconds: 1, cause: error });
  }
  if (error instanceof FrequencyLimitError) {
    return new MinigateError({ code: 'TOO_MANY_REQUESTS', reason: 'WECHAT_RATE_LIMITED', message: 'Too many logins for this player: try again in a minute', retryAfterSeconds: error.retryAfterSeconds, cause: error });
  }
  if (error instanceof UserBlockedError) {
    return new MinigateError({ code: 'FORBIDDEN', reason: 'WECHAT_USER_BLOCKED', message: 'WeChat blocks this player from logging in', cause: error });
  }
  if (error instanceof WeChatMisconfiguredError) {
    return new MinigateError({ code: 'INTERNAL_SERVER_ERROR', reason: 'WECHAT_MISCONFIGURED', message: 'The server cannot log players in: its WeChat configuration is wrong', cause: error });
  }
  if (error instanceof WeChatTimeoutError) {
    return new MinigateError({ code: 'GATEWAY_TIMEOUT', reason: 'WECHAT_TIMEOUT', message: 'WeChat did not answer in time: call wx.login again', retryAfterSeconds: 1, cause: error });
  }
  if (error instanceof WeChatUnavailableError) {
    return new MinigateError({ code: 'BAD_GATEWAY', reason: 'WECHAT_UNAVAILABLE', message: 'WeChat could not be reached: try again shortly', retryAfterSeconds: 5, cause: error });
  }
  return new MinigateError({ code: 'BAD_GATEWAY', reason: 'WECHAT_ERROR', message: 'WeChat refused the login', cause: error });
}
