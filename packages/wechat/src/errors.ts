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

/** 40001 from stable_token itself: the AppSecret is wrong (WeChat uses the same code for a bad token elsewhere). */
export class InvalidCredentialError extends WeChatMisconfiguredError {
  override name = 'InvalidCredentialError';
  readonly errcode = 40001;
}

/** 40164: the server's IP is not on the app's IP whitelist (微信公众平台 → 开发设置). */
export class IpNotWhitelistedError extends WeChatMisconfiguredError {
  override name = 'IpNotWhitelistedError';
  readonly errcode = 40164;
}

/** 48001: the app has no permission for this API. */
export class ApiUnauthorizedError extends WeChatMisconfiguredError {
  override name = 'ApiUnauthorizedError';
  readonly errcode = 48001;
}

/** 47001: WeChat could not parse the request body: a bug on our side. */
export class DataFormatError extends WeChatMisconfiguredError {
  override name = 'DataFormatError';
  readonly errcode = 47001;
}

/** 45009: the API's daily quota is used up (for stable_token with force_refresh: 20 a day). */
export class DailyQuotaExceededError extends WeChatAnswerError {
  override name = 'DailyQuotaExceededError';
  readonly errcode = 45009;
  readonly retryable = false;
}

export type AccessTokenErrcode = 40001 | 42001 | 40014;

/**
 * 40001 (invalid or not the latest), 42001 (expired), 40014 (malformed): the
 * access token a call used is no good. AccessTokenManager.withAccessToken
 * invalidates it (if it is still the cached one), refreshes and retries once.
 */
export class AccessTokenInvalidError extends WeChatAnswerError {
  override name = 'AccessTokenInvalidError';
  readonly retryable = true;
  constructor(
    readonly errcode: AccessTokenErrcode,
    message: string,
  ) {
    super(message);
  }
}

/** 40003: WeChat does not know this openid (for this app). */
export class InvalidOpenidError extends WeChatAnswerError {
  override name = 'InvalidOpenidError';
  readonly errcode = 40003;
  readonly retryable = false;
}

/**
 * 87009: the login state signature does not match the session key WeChat
 * holds for the player: the server's session_key is no longer the current
 * one. The player must log in again (wx.login) before it can be retried.
 */
export class SessionKeyInvalidError extends WeChatAnswerError {
  override name = 'SessionKeyInvalidError';
  readonly errcode = 87009;
  readonly retryable = true;
}

/** set_user_storage refused the data for one of WeChat's limits (128 pairs, key ≤ 128 bytes, key + value ≤ 1024 bytes). */
export abstract class UserStorageLimitError extends WeChatAnswerError {
  readonly retryable = false;
}

/** 87016: a key-value pair is longer than the limit (key + value ≤ 1024 bytes). */
export class StorageKeyValueTooLongError extends UserStorageLimitError {
  override name = 'StorageKeyValueTooLongError';
  readonly errcode = 87016;
}

/** 87017: the player's stored data as a whole exceeds the limit. */
export class StorageDataTooLargeError extends UserStorageLimitError {
  override name = 'StorageDataTooLargeError';
  readonly errcode = 87017;
}

/** 87018: the player would keep more key-value pairs than the limit (128). */
export class StorageTooManyPairsError extends UserStorageLimitError {
  override name = 'StorageTooManyPairsError';
  readonly errcode = 87018;
}

/** 87019: a key is longer than the limit (128 bytes). */
export class StorageKeyTooLongError extends UserStorageLimitError {
  override name = 'StorageKeyTooLongError';
  readonly errcode = 87019;
}

/** 40029 from getuserphonenumber: the phone code is expired (5 minutes), already used, garbage, or of another appid. */
export class PhoneCodeInvalidError extends WeChatAnswerError {
  override name = 'PhoneCodeInvalidError';
  readonly errcode = 40029;
  readonly retryable = true;
}

/** 61010 from msg_sec_check: the player has not visited the mini-game recently (about two hours), so WeChat will not judge for its openid. */
export class UserVisitExpiredError extends WeChatAnswerError {
  override name = 'UserVisitExpiredError';
  readonly errcode = 61010;
  readonly retryable = false;
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

/**
 * The circuit breaker is open: WeChat was unreachable for the last calls, so
 * this one was not even tried (nothing was sent; a login code is still unused).
 */
export class WeChatCircuitOpenError extends WeChatUnavailableError {
  override name = 'WeChatCircuitOpenError';
  constructor(
    message: string,
    /** Seconds until the breaker lets a call through again. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
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

/** errcode → the typed error for it, for one endpoint. The message must already be scrubbed. */
export type ErrcodeTable = ReadonlyMap<number, (message: string) => WeChatError>;

type FixedErrorClass = new (message: string) => WeChatError;

/** A table from classes with a fixed errcode and from factories. */
export function errcodeTable(entries: ReadonlyArray<readonly [number, FixedErrorClass | ((message: string) => WeChatError)]>): ErrcodeTable {
  return new Map(
    entries.map(([errcode, make]) => [
      errcode,
      (message: string) =>
        make.prototype instanceof WeChatError ? new (make as FixedErrorClass)(message) : (make as (m: string) => WeChatError)(message),
    ]),
  );
}

/** What every call made with an access token may answer. */
export const ACCESS_TOKEN_CALL_ERRORS: ErrcodeTable = errcodeTable([
  [-1, WeChatBusyError],
  [40001, (message) => new AccessTokenInvalidError(40001, message)],
  [42001, (message) => new AccessTokenInvalidError(42001, message)],
  [40014, (message) => new AccessTokenInvalidError(40014, message)],
  [40003, InvalidOpenidError],
  [40164, IpNotWhitelistedError],
  [45009, DailyQuotaExceededError],
  [45011, FrequencyLimitError],
  [47001, DataFormatError],
  [48001, ApiUnauthorizedError],
]);
