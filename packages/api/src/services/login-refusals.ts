import type { LoginCredentials, ServedApp } from '../apps/served-apps.js';
import { MinigateError } from '../errors.js';

// What a login is refused with before its platform is asked.

/** 400 APP_UNKNOWN: the deployment serves no game of this appid (or, for auth.wechatLogin, no WeChat game). */
export function appUnknown(appid: string | null): MinigateError {
  return new MinigateError({
    code: 'BAD_REQUEST',
    reason: 'APP_UNKNOWN',
    message:
      appid === null ? 'This server serves no WeChat game: log in with auth.login and your appid' : `This server serves no game of appid ${appid}`,
    fields: [{ path: 'appid', message: appid === null ? 'no WeChat game configured' : 'not a game this server serves' }],
  });
}

/** What is wrong with the credentials for this game's platform, or null. */
export function credentialsRefusal(app: ServedApp, credentials: LoginCredentials): MinigateError | null {
  if (credentials.anonymousCode !== undefined && app.platform !== 'douyin') {
    return new MinigateError({
      code: 'BAD_REQUEST',
      reason: 'ANONYMOUS_CODE_UNSUPPORTED',
      message: `anonymousCode is Douyin's (tt.login): the game ${app.appid} is on ${app.platform}`,
      fields: [{ path: 'anonymousCode', message: 'only a Douyin game takes an anonymous code' }],
    });
  }
  if (credentials.code === undefined && credentials.anonymousCode === undefined) {
    return new MinigateError({
      code: 'BAD_REQUEST',
      reason: 'INPUT_INVALID',
      message: 'Send the code the platform login gave (code), or on Douyin a guest anonymousCode',
      fields: [{ path: 'code', message: 'required' }],
    });
  }
  return null;
}
