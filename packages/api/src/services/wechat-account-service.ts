import { applyWeChatUserInfo, bindPhoneIdentity, type Database, type Kysely } from '@minigate/db';
import {
  DecryptedDataNotJsonError,
  EncryptedDataMalformedError,
  openEncryptedData,
  SessionKeyStaleError,
  verifyRawDataSignature,
  WatermarkInFutureError,
  WatermarkTooOldError,
  WeChatDataError,
} from '@minigate/wechat';
import type { AuthenticatedUser } from '../context.js';
import { MinigateError } from '../errors.js';
import type { ServedApps } from '../apps/served-apps.js';
import { platformUnsupported, sessionApp } from '../apps/session-app.js';
import type { AccountService } from './account-service.js';
import { PHONE_AUTH_TYPE } from '../apps/platform-identities.js';
import type { ContentGuard } from './content-guard.js';
import type { ServiceLogger } from './service-logger.js';
import type { SessionKeys } from './session-keys.js';
import type { AccountView, PhoneBindAnswer } from './views.js';
import { sessionKeyStale, wechatCallError } from './wechat-call-errors.js';

/** What a game hands over from wx.getUserInfo or a user info button. */
export interface UserInfoInput {
  encryptedData: string;
  iv: string;
  rawData?: string | undefined;
  signature?: string | undefined;
}

export interface WeChatAccountService {
  /** Decrypts the player's WeChat user info with the session key the server holds, checks it, stores it; answers as account.me. */
  syncUserInfo(user: AuthenticatedUser, input: UserInfoInput, log: ServiceLogger): Promise<AccountView>;
  /** Exchanges a phone code (getuserphonenumber) and binds the number to the account. */
  bindPhone(user: AuthenticatedUser, code: string, log: ServiceLogger): Promise<PhoneBindAnswer>;
}

export interface WeChatAccountServiceDeps {
  db: Kysely<Database>;
  /** The games served: a session's calls use its game's session key and API. */
  apps: ServedApps;
  sessionKeys: SessionKeys;
  accounts: AccountService;
  contentGuard: ContentGuard;
  /** WECHAT_USER_INFO_MAX_AGE: how old a watermark may be, seconds. */
  userInfoMaxAgeSeconds: number;
  now?: () => number;
}

const NICKNAME_MAX = 32;
const CONTROL_CHARACTERS = /\p{Cc}/gu;

const bad = (reason: 'USER_INFO_INVALID' | 'USER_INFO_EXPIRED' | 'SIGNATURE_INVALID' | 'INPUT_INVALID', path: string, message: string) =>
  new MinigateError({ code: 'BAD_REQUEST', reason, message, fields: [{ path, message }] });

/** The reason for each way encrypted user info fails to open. */
function userInfoError(error: WeChatDataError): MinigateError {
  if (error instanceof EncryptedDataMalformedError) {
    // The server's own key being malformed is not the client's fault: a new login replaces it.
    if (error.field === 'sessionKey') return sessionKeyStale();
    return bad('INPUT_INVALID', error.field, `${error.field} is not what WeChat gives: ${error.message}`);
  }
  if (error instanceof SessionKeyStaleError || error instanceof DecryptedDataNotJsonError) return sessionKeyStale();
  if (error instanceof WatermarkTooOldError || error instanceof WatermarkInFutureError) {
    return bad('USER_INFO_EXPIRED', 'encryptedData', 'the user info is too old (or from the future): call wx.getUserInfo again and send it at once');
  }
  return bad('USER_INFO_INVALID', 'encryptedData', `the user info is not for this mini-game (${error.problem})`);
}

const text = (value: unknown, max: number): string | undefined =>
  typeof value === 'string' ? [...value.replace(CONTROL_CHARACTERS, '').trim()].slice(0, max).join('') : undefined;

function httpsUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 512) return undefined;
  if (value === '') return '';
  try {
    return new URL(value).protocol === 'https:' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function createWeChatAccountService(deps: WeChatAccountServiceDeps): WeChatAccountService {
  const now = deps.now ?? Date.now;

  return {
    async syncUserInfo(user, input, log) {
      if ((input.rawData === undefined) !== (input.signature === undefined)) {
        const missing = input.rawData === undefined ? 'rawData' : 'signature';
        throw bad('INPUT_INVALID', missing, `${missing} must be sent with ${missing === 'rawData' ? 'signature' : 'rawData'}, or neither`);
      }
      // Douyin's and QQ's user info are encrypted the same way, with the session key of the session's game.
      const app = sessionApp(deps.apps, user);
      const key = await deps.sessionKeys.current(user.accountId, app);
      let data: Record<string, unknown>;
      try {
        ({ data } = openEncryptedData(
          { encryptedData: input.encryptedData, iv: input.iv, sessionKey: key.sessionKey },
          { appid: app.appid, now: now(), maxAgeSeconds: deps.userInfoMaxAgeSeconds, sessionKeyIssuedAt: key.issuedAt },
        ));
      } catch (error) {
        if (error instanceof WeChatDataError) throw userInfoError(error);
        throw error;
      }
      if (typeof data.openId === 'string' && data.openId !== key.openid) {
        throw bad('USER_INFO_INVALID', 'encryptedData', "the user info is another player's");
      }
      if (input.rawData !== undefined && !verifyRawDataSignature(input.rawData, input.signature ?? '', key.sessionKey)) {
        throw bad('SIGNATURE_INVALID', 'signature', 'signature is not sha1(rawData + session_key): send rawData and signature as WeChat gave them');
      }

      const nickName = text(data.nickName, NICKNAME_MAX);
      const gender = typeof data.gender === 'number' && [0, 1, 2].includes(data.gender) ? data.gender : undefined;
      const changes = {
        ...(nickName ? { nickName } : {}),
        ...(httpsUrl(data.avatarUrl) !== undefined ? { avatar: httpsUrl(data.avatarUrl) as string } : {}),
        ...(gender !== undefined ? { gender } : {}),
        ...(text(data.country, 64) !== undefined ? { country: text(data.country, 64) as string } : {}),
        ...(text(data.province, 64) !== undefined ? { province: text(data.province, 64) as string } : {}),
        ...(text(data.city, 64) !== undefined ? { city: text(data.city, 64) as string } : {}),
        ...(text(data.language, 16) !== undefined ? { language: text(data.language, 16) as string } : {}),
      };
      let verdict = null;
      try {
        verdict = nickName ? await deps.contentGuard.checkNickname(user.accountId, nickName, 'nickName', log) : null;
      } catch (error) {
        throw wechatCallError(error, log, 'msg_sec_check');
      }
      const applied = await applyWeChatUserInfo(deps.db, user.accountId, { ...changes, at: new Date(now()) });
      deps.accounts.changed(user.accountId);
      if (!applied) {
        throw new MinigateError({ code: 'UNAUTHORIZED', reason: 'ACCOUNT_NOT_FOUND', message: 'This account no longer exists: sign in again' });
      }
      if (verdict === 'deferred' && nickName) await deps.contentGuard.deferred(user.accountId, nickName);
      return deps.accounts.me(user.accountId);
    },

    async bindPhone(user, code, log) {
      const app = sessionApp(deps.apps, user);
      const wechat = app.wechat;
      if (!wechat) throw platformUnsupported(app, "Binding a phone number with the platform's phone code");
      const openid = await deps.sessionKeys.openidOf(user.accountId, app);
      let info;
      try {
        info = await wechat.withAccessToken((accessToken) => wechat.getPhoneNumber({ accessToken, code, ...(openid ? { openid } : {}) }));
      } catch (error) {
        throw wechatCallError(error, log, 'getuserphonenumber');
      }
      if (info.watermark && info.watermark.appid !== app.appid) {
        throw bad('USER_INFO_INVALID', 'code', 'the phone code is not for this mini-game');
      }
      const digits = info.purePhoneNumber.replace(/\D/g, '');
      const country = info.countryCode.replace(/\D/g, '') || '86';
      if (!digits) throw new MinigateError({ code: 'BAD_GATEWAY', reason: 'WECHAT_ERROR', message: 'WeChat answered without a phone number' });
      const phone = `+${country}${digits}`;
      const outcome = await bindPhoneIdentity(deps.db, { accountId: user.accountId, authType: PHONE_AUTH_TYPE, phone, at: new Date(now()) });
      deps.accounts.changed(user.accountId);
      if (outcome === 'taken') {
        throw new MinigateError({ code: 'CONFLICT', reason: 'PHONE_TAKEN', message: 'This phone number is bound to another account' });
      }
      if (outcome === 'account_gone') {
        throw new MinigateError({ code: 'UNAUTHORIZED', reason: 'ACCOUNT_NOT_FOUND', message: 'This account no longer exists: sign in again' });
      }
      return { phone, phoneBound: true };
    },
  };
}
