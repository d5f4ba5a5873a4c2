import { AccessTokenInvalidError } from '@minigate/wechat';
import { DOUYIN_ERRCODES, QQ_ERRCODES, type PlatformErrcodeEntry, type PlatformErrcodeTable } from './errcodes.js';

/** The platforms whose server API this package calls. */
export type CalledPlatform = 'douyin' | 'qq';

/**
 * Douyin or QQ answered with an errcode; `entry` says what it means. Each
 * errcode callers branch on has a class of its own (DouyinCodeInvalidError,
 * QQFrequencyLimitError, ...); the misconfigured ones are
 * PlatformMisconfiguredError. Messages never carry the secret, a code, a
 * session key or an access token: they are scrubbed.
 */
export class PlatformErrcodeError extends Error {
  readonly errcode: number;
  readonly retryable: boolean;
  constructor(
    readonly platform: CalledPlatform,
    readonly entry: PlatformErrcodeEntry,
    message: string,
  ) {
    super(message);
    this.name = entry.name;
    this.errcode = entry.errcode;
    this.retryable = entry.retryable;
  }
}

/** The server's own credentials or request are wrong (rows marked misconfigured): an operator must fix the configuration. */
export class PlatformMisconfiguredError extends PlatformErrcodeError {}

const rowOf = (platform: CalledPlatform, name: string): PlatformErrcodeEntry => {
  const row = (platform === 'douyin' ? DOUYIN_ERRCODES : QQ_ERRCODES).find((entry) => entry.name === name);
  if (!row) throw new Error(`no ${platform} errcode named ${name}`);
  return row;
};

/** -1 from Douyin: a system error. */
export class DouyinBusyError extends PlatformErrcodeError {
  constructor(message: string) {
    super('douyin', rowOf('douyin', 'DouyinBusyError'), message);
  }
}
/** 40014: a parameter is missing. */
export class DouyinParameterMissingError extends PlatformMisconfiguredError {
  constructor(message: string) {
    super('douyin', rowOf('douyin', 'DouyinParameterMissingError'), message);
  }
}
/** 40015: the appid is not Douyin's. */
export class DouyinAppIdInvalidError extends PlatformMisconfiguredError {
  constructor(message: string) {
    super('douyin', rowOf('douyin', 'DouyinAppIdInvalidError'), message);
  }
}
/** 40017: the secret is not the appid's. */
export class DouyinSecretInvalidError extends PlatformMisconfiguredError {
  constructor(message: string) {
    super('douyin', rowOf('douyin', 'DouyinSecretInvalidError'), message);
  }
}
/** 40018: the tt.login code is expired, spent, garbage or of another app. */
export class DouyinCodeInvalidError extends PlatformErrcodeError {
  constructor(message: string) {
    super('douyin', rowOf('douyin', 'DouyinCodeInvalidError'), message);
  }
}
/** 40019: the anonymous code is expired, spent, garbage or of another app. */
export class DouyinAnonymousCodeInvalidError extends PlatformErrcodeError {
  constructor(message: string) {
    super('douyin', rowOf('douyin', 'DouyinAnonymousCodeInvalidError'), message);
  }
}
/** 28001039: the signature does not match the player's current session key. */
export class DouyinSignatureInvalidError extends PlatformErrcodeError {
  constructor(message: string) {
    super('douyin', rowOf('douyin', 'DouyinSignatureInvalidError'), message);
  }
}
/** -1 from QQ: busy. */
export class QQBusyError extends PlatformErrcodeError {
  constructor(message: string) {
    super('qq', rowOf('qq', 'QQBusyError'), message);
  }
}
/** 40029: the qq.login code is expired, spent, garbage or of another app. */
export class QQCodeInvalidError extends PlatformErrcodeError {
  constructor(message: string) {
    super('qq', rowOf('qq', 'QQCodeInvalidError'), message);
  }
}
/** 45011: over 100 calls a minute for this user. */
export class QQFrequencyLimitError extends PlatformErrcodeError {
  readonly retryAfterSeconds = 60;
  constructor(message: string) {
    super('qq', rowOf('qq', 'QQFrequencyLimitError'), message);
  }
}

/** 46001 from SendSubscriptionMessage: the player holds no subscription of the template (none allowed, or each spent). */
export class QQSubscribeNotSubscribedError extends PlatformErrcodeError {
  constructor(message: string) {
    super('qq', rowOf('qq', 'QQSubscribeNotSubscribedError'), message);
  }
}
/** 46003 from SendSubscriptionMessage: the player refuses the messages. */
export class QQSubscribeRefusedError extends PlatformErrcodeError {
  constructor(message: string) {
    super('qq', rowOf('qq', 'QQSubscribeRefusedError'), message);
  }
}
/** 40035 from SendSubscriptionMessage: the data does not match the template's fields. */
export class QQSubscribeDataInvalidError extends PlatformErrcodeError {
  constructor(message: string) {
    super('qq', rowOf('qq', 'QQSubscribeDataInvalidError'), message);
  }
}
/** 40037 from SendSubscriptionMessage: the template_id is not one of the game. */
export class QQSubscribeTemplateInvalidError extends PlatformErrcodeError {
  constructor(message: string) {
    super('qq', rowOf('qq', 'QQSubscribeTemplateInvalidError'), message);
  }
}
/** 41030 (too fast for this player) or 46002 (the day's limit) from SendSubscriptionMessage: nothing was sent, a later send may be. */
export class QQSubscribeLimitedError extends PlatformErrcodeError {}

/**
 * Douyin (28001003, 40002) or QQ (40014) refused the access token. It is
 * @minigate/wechat's AccessTokenInvalidError, so
 * AccessTokenManager.withAccessToken replaces the token and retries once;
 * `errcode` is that class's (40001, "the token is no good"), the platform's
 * own is `platformErrcode` and `platformEntry`.
 */
export class PlatformAccessTokenInvalidError extends AccessTokenInvalidError {
  readonly platformErrcode: number;
  constructor(
    readonly platform: CalledPlatform,
    readonly platformEntry: PlatformErrcodeEntry,
    message: string,
  ) {
    super(40001, message);
    this.name = platformEntry.name;
    this.platformErrcode = platformEntry.errcode;
  }
}

/** Douyin or QQ could not be reached, or answered with something other than its JSON (an HTTP error, an HTML page, an unexpected shape). */
export class PlatformUnavailableError extends Error {
  override name = 'PlatformUnavailableError';
  readonly errcode = null;
  readonly retryable = true;
  constructor(
    readonly platform: CalledPlatform,
    message: string,
    /** Set when a circuit breaker refused the call: seconds until it lets one through. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** Douyin or QQ did not answer in time. A code may or may not have been spent. */
export class PlatformTimeoutError extends Error {
  override name = 'PlatformTimeoutError';
  readonly errcode = null;
  readonly retryable = true;
  constructor(
    readonly platform: CalledPlatform,
    message: string,
  ) {
    super(message);
  }
}

const CLASSES: Record<string, (message: string) => PlatformErrcodeError> = {
  DouyinBusyError: (message) => new DouyinBusyError(message),
  DouyinParameterMissingError: (message) => new DouyinParameterMissingError(message),
  DouyinAppIdInvalidError: (message) => new DouyinAppIdInvalidError(message),
  DouyinSecretInvalidError: (message) => new DouyinSecretInvalidError(message),
  DouyinCodeInvalidError: (message) => new DouyinCodeInvalidError(message),
  DouyinAnonymousCodeInvalidError: (message) => new DouyinAnonymousCodeInvalidError(message),
  DouyinSignatureInvalidError: (message) => new DouyinSignatureInvalidError(message),
  QQBusyError: (message) => new QQBusyError(message),
  QQCodeInvalidError: (message) => new QQCodeInvalidError(message),
  QQFrequencyLimitError: (message) => new QQFrequencyLimitError(message),
  QQSubscribeNotSubscribedError: (message) => new QQSubscribeNotSubscribedError(message),
  QQSubscribeRefusedError: (message) => new QQSubscribeRefusedError(message),
  QQSubscribeDataInvalidError: (message) => new QQSubscribeDataInvalidError(message),
  QQSubscribeTemplateInvalidError: (message) => new QQSubscribeTemplateInvalidError(message),
  QQSubscribeTooFastError: (message) => new QQSubscribeLimitedError('qq', rowOf('qq', 'QQSubscribeTooFastError'), message),
  QQSubscribeDailyLimitError: (message) => new QQSubscribeLimitedError('qq', rowOf('qq', 'QQSubscribeDailyLimitError'), message),
};

const TOKEN_REFUSALS = new Set(['DouyinAccessTokenInvalidError', 'QQAccessTokenInvalidError']);

/**
 * The error for an errcode of an endpoint's `table`; an errcode without a row
 * is a PlatformErrcodeError named DouyinUnknownError / QQUnknownError.
 * `message` must already be scrubbed.
 */
export function platformErrcodeError(
  platform: CalledPlatform,
  table: PlatformErrcodeTable,
  errcode: number,
  message: string,
): PlatformErrcodeError | PlatformAccessTokenInvalidError {
  const entry = table.get(errcode) ?? {
    errcode,
    name: platform === 'douyin' ? 'DouyinUnknownError' : 'QQUnknownError',
    retryable: false,
    meaning: 'an errcode this client has no meaning for',
  };
  if (TOKEN_REFUSALS.has(entry.name)) return new PlatformAccessTokenInvalidError(platform, entry, message);
  const make = CLASSES[entry.name];
  if (make) return make(message);
  return entry.misconfigured ? new PlatformMisconfiguredError(platform, entry, message) : new PlatformErrcodeError(platform, entry, message);
}
