/**
 * Every way WeChat's server API can fail, one class each, so callers map
 * them with `instanceof`. Messages never carry the secret, the js_code or a
 * session key: they are built from the errcode and WeChat's errmsg with
 * those values scrubbed out.
 */
export abstract class WeChatError extends Error {
  /** WeChat's errcode, or null when WeChat gave no answer (network, timeout, garbage). */
  abstract readonly errcode: number | null;
  /** Whether the player may simply try again (with a new wx.login code for code2session). */
  abstract readonly retryable: boolean;
}

/** WeChat answered with an errcode. */
abstract class WeChatAnswerError extends WeChatError {}

/** -1: WeChat is busy. Do not resend the same code: WeChat may have consumed it. */
export class WeChatBusyError extends WeChatAnswerError {
  override name = 'WeChatBusyError';
  readonly errcode = -1;
  readonly retryable = true;
}

/** 40029: the code is expired (5 minutes), garbage, or issued for another appid. */
export class CodeInvalidError extends WeChatAnswerError {
  override name = 'CodeInvalidError';
  readonly errcode = 40029;
  readonly retryable = true;
}

/** 40163: the code was already exchanged. */
export class CodeUsedError extends WeChatAnswerError {
  override name = 'CodeUsedError';
  readonly errcode = 40163;
  readonly retryable = true;
}

/** 45011: more than 100 calls per user per minute. */
export class FrequencyLimitError extends WeChatAnswerError {
  override name = 'FrequencyLimitError';
  readonly errcode = 45011;
  readonly retryable = true;
  /** WeChat's window is a minute. */
  readonly retryAfterSeconds = 60;
}

/** 40226: a high-risk user that WeChat blocks. */
export class UserBlockedError extends WeChatAnswerError {
  override name = 'UserBlockedError';
  readonly errcode = 40226;
  readonly retryable = false;
}

/** The server's own credentials or request are wrong: an operator must fix the configuration. */
export abstract class WeChatMisconfiguredError extends WeChatAnswerError {
  readonly retryable = false;
}

/** 40013: WECHAT_APPID is not a valid appid. */
export class InvalidAppIdError extends WeChatMisconfiguredError {
  override name = 'InvalidAppIdError';
  readonly errcode = 40013;
}

/** 40125: WECHAT_SECRET is not the appid's secret. */
export class InvalidSecretError extends WeChatMisconfiguredError {
  override name = 'InvalidSecretError';
  readonly errcode = 40125;
}

/** 41002: the appid parameter is missing. */
export class AppIdMissingError extends WeChatMisconfiguredError {
  override name = 'AppIdMissingError';
  readonly errcode = 41002;
}

/** 41004: the secret parameter is missing. */
export class SecretMissingError extends WeChatMisconfiguredError {
  override name = 'SecretMissingError';
  readonly errcode = 41004;
}

/** 41008: the js_code parameter is missing. */
export class CodeMissingError extends WeChatMisconfiguredError {
  override name = 'CodeMissingError';
  readonly errcode = 41008;
}

/** An errcode this client has no class for. */
export class UnknownWeChatError extends WeChatError {
  override name = 'UnknownWeChatError';
  readonly retryable = false;
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`WeChat errcode ${errcode}: ${errmsg}`);
  }
}

/** WeChat could not be reached, or answered with something other than its JSON (an HTTP error, an HTML page). */
export class WeChatUnavailableError extends WeChatError {
  override name = 'WeChatUnavailableError';
  readonly errcode = null;
  readonly retryable = true;
}

/** WeChat did not answer in time. The code may or may not have been consumed. */
export class WeChatTimeoutError extends WeChatError {
  override name = 'WeChatTimeoutError';
  readonly errcode = null;
  readonly retryable = true;
}

type AnswerErrorClass = new (message: string) => WeChatAnswerError;

const ERRORS_BY_CODE = new Map<number, AnswerErrorClass>([
  [-1, WeChatBusyError],
  [40029, CodeInvalidError],
  [40163, CodeUsedError],
  [45011, FrequencyLimitError],
  [40226, UserBlockedError],
  [40013, InvalidAppIdError],
  [40125, InvalidSecretError],
  [41002, AppIdMissingError],
  [41004, SecretMissingError],
  [41008, CodeMissingError],
]);

/** The typed error for one of WeChat's errcodes. `errmsg` must already be scrubbed. */
export function errorForErrcode(errcode: number, errmsg: string): WeChatError {
  const ErrorClass = ERRORS_BY_CODE.get(errcode);
  return ErrorClass ? new ErrorClass(`WeChat errcode ${errcode}: ${errmsg}`) : new UnknownWeChatError(errcode, errmsg);
}
