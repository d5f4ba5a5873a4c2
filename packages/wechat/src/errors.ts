import { unknownErrcode, WECHAT_ERRCODES, type ErrcodeEntry, type ErrcodeName, type ErrcodeTable } from './errcodes.js';

/**
 * Every way WeChat's server API can fail. An errcode answer is a
 * WeChatErrcodeError carrying its row of WECHAT_ERRCODES (errcode, name,
 * retryable, meaning); it has a class of its own only where callers branch
 * on it with `instanceof` (CodeUsedError, WeChatBusyError, the
 * WeChatMisconfiguredError group, ...). No answer at all is
 * WeChatUnavailableError or WeChatTimeoutError. Messages never carry the
 * secret, the js_code or a session key: they are built from the errcode and
 * WeChat's errmsg with those values scrubbed out.
 */
export abstract class WeChatError extends Error {
  /** WeChat's errcode, or null when WeChat gave no answer (network, timeout, garbage). */
  abstract readonly errcode: number | null;
  /** Whether the player may simply try again (with a new wx.login code for code2session). */
  abstract readonly retryable: boolean;
}

/** WeChat answered with an errcode: `entry` says what it means. The class of every errcode without a class of its own. */
export class WeChatErrcodeError extends WeChatError {
  readonly errcode: number;
  readonly retryable: boolean;

  constructor(
    readonly entry: ErrcodeEntry,
    message: string,
  ) {
    super(message);
    this.name = entry.name;
    this.errcode = entry.errcode;
    this.retryable = entry.retryable;
  }
}

type Row = (typeof WECHAT_ERRCODES)[number];

/** The row of `name` (its first, or the one of `errcode`). */
function entryOf<N extends ErrcodeName>(name: N, errcode?: number): Extract<Row, { name: N }> {
  const entry = WECHAT_ERRCODES.find((row) => row.name === name && (errcode === undefined || row.errcode === errcode));
  if (!entry) throw new Error(`no errcode ${errcode ?? ''} for ${name}`);
  return entry as Extract<Row, { name: N }>;
}

/** The server's own credentials or request are wrong: an operator must fix the configuration (rows marked misconfigured). */
export class WeChatMisconfiguredError extends WeChatErrcodeError {}

/** 40013: WECHAT_APPID is not a valid appid. */
export class InvalidAppIdError extends WeChatMisconfiguredError {
  constructor(message: string) {
    super(entryOf('InvalidAppIdError'), message);
  }
}

/** 40125: WECHAT_SECRET is not the appid's secret. */
export class InvalidSecretError extends WeChatMisconfiguredError {
  constructor(message: string) {
    super(entryOf('InvalidSecretError'), message);
  }
}

/** -1: WeChat is busy. Do not resend the same code: WeChat may have consumed it. */
export class WeChatBusyError extends WeChatErrcodeError {
  constructor(message: string) {
    super(entryOf('WeChatBusyError'), message);
  }
}

/** 40029 from jscode2session: the code is expired (5 minutes), garbage, or issued for another appid. */
export class CodeInvalidError extends WeChatErrcodeError {
  constructor(message: string) {
    super(entryOf('CodeInvalidError'), message);
  }
}

/** 40163: the code was already exchanged. */
export class CodeUsedError extends WeChatErrcodeError {
  constructor(message: string) {
    super(entryOf('CodeUsedError'), message);
  }
}

/** 45011: more than 100 calls per user per minute. */
export class FrequencyLimitError extends WeChatErrcodeError {
  /** WeChat's window is a minute. */
  readonly retryAfterSeconds = entryOf('FrequencyLimitError').retryAfterSeconds;
  constructor(message: string) {
    super(entryOf('FrequencyLimitError'), message);
  }
}

/** 40226: a high-risk user that WeChat blocks. */
export class UserBlockedError extends WeChatErrcodeError {
  constructor(message: string) {
    super(entryOf('UserBlockedError'), message);
  }
}

export type AccessTokenErrcode = 40001 | 42001 | 40014;

/**
 * 40001 (invalid or not the latest), 42001 (expired), 40014 (malformed): the
 * access token a call used is no good. AccessTokenManager.withAccessToken
 * invalidates it (if it is still the cached one), refreshes and retries once.
 */
export class AccessTokenInvalidError extends WeChatErrcodeError {
  declare readonly errcode: AccessTokenErrcode;
  constructor(errcode: AccessTokenErrcode, message: string) {
    super(entryOf('AccessTokenInvalidError', errcode), message);
  }
}

/**
 * 87009: the login state signature does not match the session key WeChat
 * holds for the player: the server's session_key is no longer the current
 * one. The player must log in again (wx.login) before it can be retried.
 */
export class SessionKeyInvalidError extends WeChatErrcodeError {
  constructor(message: string) {
    super(entryOf('SessionKeyInvalidError'), message);
  }
}

/** 87016: a key-value pair is longer than the limit (key + value ≤ 1024 bytes). */
export class StorageKeyValueTooLongError extends WeChatErrcodeError {
  constructor(message: string) {
    super(entryOf('StorageKeyValueTooLongError'), message);
  }
}

/** 87017: the player's stored data as a whole exceeds the limit. */
export class StorageDataTooLargeError extends WeChatErrcodeError {
  constructor(message: string) {
    super(entryOf('StorageDataTooLargeError'), message);
  }
}

/** 87018: the player would keep more key-value pairs than the limit (128). */
export class StorageTooManyPairsError extends WeChatErrcodeError {
  constructor(message: string) {
    super(entryOf('StorageTooManyPairsError'), message);
  }
}

/** 87019: a key is longer than the limit (128 bytes). */
export class StorageKeyTooLongError extends WeChatErrcodeError {
  constructor(message: string) {
    super(entryOf('StorageKeyTooLongError'), message);
  }
}

/** 40029 (or 41008) from getuserphonenumber: the phone code is expired (5 minutes), already used, garbage, or of another appid. */
export class PhoneCodeInvalidError extends WeChatErrcodeError {
  constructor(message: string, errcode: 40029 | 41008 = 40029) {
    super(entryOf('PhoneCodeInvalidError', errcode), message);
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

/** The classes callers branch on, by their row's name; every other row is a WeChatErrcodeError (WeChatMisconfiguredError when misconfigured). */
const CLASSES: Partial<Record<ErrcodeName, (entry: ErrcodeEntry, message: string) => WeChatErrcodeError>> = {
  WeChatBusyError: (_, message) => new WeChatBusyError(message),
  CodeInvalidError: (_, message) => new CodeInvalidError(message),
  CodeUsedError: (_, message) => new CodeUsedError(message),
  FrequencyLimitError: (_, message) => new FrequencyLimitError(message),
  UserBlockedError: (_, message) => new UserBlockedError(message),
  InvalidAppIdError: (_, message) => new InvalidAppIdError(message),
  InvalidSecretError: (_, message) => new InvalidSecretError(message),
  AccessTokenInvalidError: (entry, message) => new AccessTokenInvalidError(entry.errcode as AccessTokenErrcode, message),
  SessionKeyInvalidError: (_, message) => new SessionKeyInvalidError(message),
  StorageKeyValueTooLongError: (_, message) => new StorageKeyValueTooLongError(message),
  StorageDataTooLargeError: (_, message) => new StorageDataTooLargeError(message),
  StorageTooManyPairsError: (_, message) => new StorageTooManyPairsError(message),
  StorageKeyTooLongError: (_, message) => new StorageKeyTooLongError(message),
  PhoneCodeInvalidError: (entry, message) => new PhoneCodeInvalidError(message, entry.errcode as 40029 | 41008),
};

/** The error for an errcode of `table` (an unknown errcode is UnknownWeChatError). `message` must already be scrubbed. */
export function errcodeError(table: ErrcodeTable, errcode: number, message: string): WeChatErrcodeError {
  const entry = table.get(errcode) ?? unknownErrcode(errcode);
  const make = CLASSES[entry.name as ErrcodeName];
  if (make) return make(entry, message);
  return entry.misconfigured ? new WeChatMisconfiguredError(entry, message) : new WeChatErrcodeError(entry, message);
}
