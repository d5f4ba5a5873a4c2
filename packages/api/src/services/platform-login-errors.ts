import { PlatformErrcodeError, PlatformMisconfiguredError, PlatformTimeoutError, PlatformUnavailableError } from '@minigate/platforms';
import { PLATFORM_NAMES } from '../apps/platform-identities.js';
import { MinigateError, type MinigateErrorOptions } from '../errors.js';
import { loginErrorFromWeChat } from './wechat-login-errors.js';

type LoginError = Omit<MinigateErrorOptions, 'cause'>;

const misconfigured = (reason: LoginError['reason'], what: string): LoginError => ({
  code: 'INTERNAL_SERVER_ERROR',
  reason,
  message: `The server cannot log players in to this game: ${what}`,
});

/**
 * What the player sees when Douyin's or QQ's code exchange fails, by
 * `<platform>:<errcode>`: each errcode its own reason. The platform's own
 * trouble is 502/503/504 with a reason; our configuration's is a 500 that
 * names what to fix (the login service logs it loudly).
 */
const PLATFORM_LOGIN_ERRORS: ReadonlyMap<string, LoginError> = new Map([
  [
    'douyin:-1',
    { code: 'SERVICE_UNAVAILABLE', reason: 'DOUYIN_BUSY', message: 'Douyin is busy: call tt.login again in a moment', retryAfterSeconds: 1 },
  ],
  ['douyin:40014', misconfigured('DOUYIN_PARAMETER_MISSING', 'Douyin says a parameter of the code exchange is missing')],
  ['douyin:40015', misconfigured('DOUYIN_APPID_INVALID', "Douyin does not know the game's appid")],
  ['douyin:40017', misconfigured('DOUYIN_SECRET_INVALID', "the game's secret is not the one Douyin holds")],
  ['douyin:40018', { code: 'BAD_REQUEST', reason: 'CODE_INVALID', message: 'The login code is invalid or expired: call tt.login again' }],
  [
    'douyin:40019',
    { code: 'BAD_REQUEST', reason: 'ANONYMOUS_CODE_INVALID', message: 'The anonymous code is invalid or expired: call tt.login again' },
  ],
  ['qq:40029', { code: 'BAD_REQUEST', reason: 'CODE_INVALID', message: 'The login code is invalid or expired: call qq.login again' }],
  [
    'qq:45011',
    {
      code: 'TOO_MANY_REQUESTS',
      reason: 'QQ_RATE_LIMITED',
      message: 'Too many logins for this player: try again in a minute',
      retryAfterSeconds: 60,
    },
  ],
  ['qq:-1', { code: 'SERVICE_UNAVAILABLE', reason: 'QQ_BUSY', message: 'QQ is busy: call qq.login again in a moment', retryAfterSeconds: 1 }],
]);

/** A login's failure at its platform (WeChat's, Douyin's or QQ's) as the player sees it. */
export function loginErrorFromPlatform(error: unknown): MinigateError {
  if (error instanceof PlatformErrcodeError) {
    const found = PLATFORM_LOGIN_ERRORS.get(`${error.platform}:${error.errcode}`) ??
      (error instanceof PlatformMisconfiguredError
        ? misconfigured('PLATFORM_MISCONFIGURED', `${PLATFORM_NAMES[error.platform]} refused the game's appid or secret (errcode ${error.errcode})`)
        : undefined) ?? {
        code: 'BAD_GATEWAY',
        reason: 'PLATFORM_ERROR',
        message: `${PLATFORM_NAMES[error.platform]} refused the login (errcode ${error.errcode})`,
      };
    return new MinigateError({ ...found, cause: error });
  }
  if (error instanceof PlatformTimeoutError || error instanceof PlatformUnavailableError) return platformFaultError(error, 'log in again');
  return loginErrorFromWeChat(error);
}

/** No usable answer from Douyin or QQ: 504 PLATFORM_TIMEOUT or 502 PLATFORM_UNAVAILABLE, with Retry-After; `retry` says what to do next. */
export function platformFaultError(error: PlatformTimeoutError | PlatformUnavailableError, retry: string): MinigateError {
  const name = PLATFORM_NAMES[error.platform];
  return error instanceof PlatformTimeoutError
    ? new MinigateError({
        code: 'GATEWAY_TIMEOUT',
        reason: 'PLATFORM_TIMEOUT',
        message: `${name} did not answer in time: ${retry}`,
        retryAfterSeconds: 1,
        cause: error,
      })
    : new MinigateError({
        code: 'BAD_GATEWAY',
        reason: 'PLATFORM_UNAVAILABLE',
        message: `${name} could not be reached: ${retry} shortly`,
        retryAfterSeconds: 5,
        cause: error,
      });
}

/** Whether the platform's failure is ours to fix (credentials): logged as an error, not a warning. */
export function isPlatformMisconfigured(error: unknown): boolean {
  if (error instanceof PlatformMisconfiguredError) return true;
  return error instanceof PlatformErrcodeError && PLATFORM_LOGIN_ERRORS.get(`${error.platform}:${error.errcode}`)?.code === 'INTERNAL_SERVER_ERROR';
}
