import {
  AccessTokenInvalidError,
  FrequencyLimitError,
  PhoneCodeInvalidError,
  SessionKeyInvalidError,
  StorageDataTooLargeError,
  StorageKeyTooLongError,
  StorageKeyValueTooLongError,
  StorageTooManyPairsError,
  WeChatBusyError,
  WeChatCircuitOpenError,
  WeChatError,
  WeChatMisconfiguredError,
  WeChatTimeoutError,
  WeChatUnavailableError,
} from '@minigate/wechat';
import { MinigateError, type MinigateErrorOptions } from '../errors.js';
import type { ServiceLogger } from './service-logger.js';

type CallError = Omit<MinigateErrorOptions, 'cause'>;

export const sessionKeyStale = (message = 'The server no longer holds your current WeChat session key: log in again (wx.login) and retry') =>
  new MinigateError({ code: 'CONFLICT', reason: 'SESSION_KEY_STALE', message });

/**
 * What the player sees when a WeChat call other than the login fails.
 * Upstream faults are 502/503/504 with a reason; the circuit breaker's
 * refusal is 503 with Retry-After; only our own misconfiguration is a 500.
 */
const CALL_ERRORS: ReadonlyArray<readonly [abstract new (...args: never[]) => Error, CallError | ((error: never) => CallError)]> = [
  [
    SessionKeyInvalidError,
    {
      code: 'CONFLICT',
      reason: 'SESSION_KEY_STALE',
      message: 'The server no longer holds your current WeChat session key: log in again (wx.login) and retry',
    },
  ],
  [
    PhoneCodeInvalidError,
    { code: 'BAD_REQUEST', reason: 'PHONE_CODE_INVALID', message: 'The phone code is invalid, expired or used: ask the player again' },
  ],
  [
    StorageKeyValueTooLongError,
    { code: 'BAD_REQUEST', reason: 'STORAGE_VALUE_TOO_LONG', message: 'WeChat refused the score: key and value over 1024 bytes (87016)' },
  ],
  [
    StorageDataTooLargeError,
    { code: 'BAD_REQUEST', reason: 'STORAGE_DATA_TOO_LARGE', message: "The player's hosted data is full (87017): remove keys first" },
  ],
  [
    StorageTooManyPairsError,
    { code: 'BAD_REQUEST', reason: 'STORAGE_TOO_MANY_KEYS', message: 'The player would keep more than 128 keys (87018): remove keys first' },
  ],
  [StorageKeyTooLongError, { code: 'BAD_REQUEST', reason: 'STORAGE_KEY_TOO_LONG', message: 'WeChat refused the key: over 128 bytes (87019)' }],
  [
    WeChatCircuitOpenError,
    (error: WeChatCircuitOpenError) => ({
      code: 'SERVICE_UNAVAILABLE',
      reason: 'WECHAT_UNAVAILABLE',
      message: 'WeChat is unreachable right now: try again shortly',
      retryAfterSeconds: error.retryAfterSeconds,
    }),
  ],
  [WeChatBusyError, { code: 'SERVICE_UNAVAILABLE', reason: 'WECHAT_BUSY', message: 'WeChat is busy: try again in a moment', retryAfterSeconds: 1 }],
  [
    FrequencyLimitError,
    {
      code: 'TOO_MANY_REQUESTS',
      reason: 'WECHAT_RATE_LIMITED',
      message: "WeChat's call limit is reached: try again in a minute",
      retryAfterSeconds: 60,
    },
  ],
  [
    WeChatMisconfiguredError,
    { code: 'INTERNAL_SERVER_ERROR', reason: 'WECHAT_MISCONFIGURED', message: 'The server cannot call WeChat: its WeChat configuration is wrong' },
  ],
  [
    WeChatTimeoutError,
    { code: 'GATEWAY_TIMEOUT', reason: 'WECHAT_TIMEOUT', message: 'WeChat did not answer in time: try again', retryAfterSeconds: 1 },
  ],
  [
    WeChatUnavailableError,
    { code: 'BAD_GATEWAY', reason: 'WECHAT_UNAVAILABLE', message: 'WeChat could not be reached: try again shortly', retryAfterSeconds: 5 },
  ],
  [AccessTokenInvalidError, { code: 'BAD_GATEWAY', reason: 'WECHAT_ERROR', message: "WeChat refused the server's access token: try again later" }],
];

const OTHER_WECHAT_ERROR: CallError = { code: 'BAD_GATEWAY', reason: 'WECHAT_ERROR', message: 'WeChat refused the call' };

/** The MinigateError for a failed WeChat call (a MinigateError passes through); logs WeChat's own trouble. */
export function wechatCallError(error: unknown, logger: ServiceLogger, call: string): unknown {
  if (error instanceof MinigateError || !(error instanceof WeChatError)) return error;
  if (error instanceof WeChatMisconfiguredError) {
    logger.error({ call, errcode: error.errcode, error: error.message }, 'WeChat refused our credentials or request: check the configuration');
  } else if (error instanceof WeChatUnavailableError || error instanceof WeChatTimeoutError || error instanceof WeChatBusyError) {
    logger.warn({ call, errcode: error.errcode, error: error.message }, 'WeChat could not serve a call');
  }
  const entry = CALL_ERRORS.find(([ErrorClass]) => error instanceof ErrorClass)?.[1] ?? OTHER_WECHAT_ERROR;
  const options = typeof entry === 'function' ? entry(error as never) : entry;
  return new MinigateError({ ...options, cause: error });
}
