import { signInWithIdentity, type Database, type Kysely } from '@minigate/db';
import { WeChatBusyError, WeChatMisconfiguredError, WeChatTimeoutError, WeChatUnavailableError, type Code2Session } from '@minigate/wechat';
import type { AccessTokens } from '../access-tokens.js';
import { MinigateError } from '../errors.js';
import type { SessionKeyCipher } from '../session-key-cipher.js';
import type { LoginAnswer } from './views.js';
import { loginErrorFromWeChat } from './wechat-login-errors.js';

export interface LoginService {
  /** wx.login code → account, identity and profile upserted → access token. */
  wechatLogin(code: string, ip: string): Promise<LoginAnswer>;
}

/** The part of a pino-style logger the services use. */
export interface ServiceLogger {
  error(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface LoginServiceDeps {
  db: Kysely<Database>;
  appid: string;
  code2session: Code2Session;
  accessTokens: AccessTokens;
  sessionKeys: SessionKeyCipher;
  logger: ServiceLogger;
  now?: () => number;
}

/** auth_type of a WeChat openid: an openid belongs to one appid. */
export function openidAuthType(appid: string): string {
  return `wechat_openid:${appid}`;
}

/** auth_type of a WeChat unionid: the same person across the apps of one open platform account. */
export const UNIONID_AUTH_TYPE = 'wechat_unionid';

export function createLoginService(deps: LoginServiceDeps): LoginService {
  const now = deps.now ?? Date.now;
  const authType = openidAuthType(deps.appid);

  return {
    async wechatLogin(code, ip) {
      let session;
      try {
        // Once per code: never retried after WeChat answered (a code is single-use).
        session = await deps.code2session(code);
      } catch (error) {
        if (error instanceof WeChatMisconfiguredError) {
          deps.logger.error({ errcode: error.errcode, error: error.message }, 'WeChat refused our credentials: check WECHAT_APPID and WECHAT_SECRET');
        } else if (error instanceof WeChatBusyError || error instanceof WeChatUnavailableError || error instanceof WeChatTimeoutError) {
          // WeChat's own trouble: operators watch for a run of these.
          deps.logger.warn({ errcode: error.errcode, error: error.message }, 'WeChat could not log a player in');
        }
        throw loginErrorFromWeChat(error);
      }

      const account = await signInWithIdentity(deps.db, {
        authType,
        identifier: session.openid,
        credential: deps.sessionKeys.encrypt(session.sessionKey),
        ip,
        at: new Date(now()),
        linkedIdentities: session.unionid ? [{ authType: UNIONID_AUTH_TYPE, identifier: session.unionid }] : [],
      });
      if (account.dataFlag !== 1) {
        throw new MinigateError({ code: 'FORBIDDEN', reason: 'ACCOUNT_DISABLED', message: 'This account is disabled' });
      }

      return {
        ...deps.accessTokens.issue(account.accountId),
        account: { id: account.accountId, nickName: account.nickName, avatarUrl: account.avatar, isNew: account.isNew },
      };
    },
  };
}
