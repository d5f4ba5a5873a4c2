import { signInWithIdentity, type Database, type Kysely } from '@minigate/db';
import { WeChatBusyError, WeChatMisconfiguredError, WeChatTimeoutError, WeChatUnavailableError, type Code2Session } from '@minigate/wechat';
import type { AccessTokens } from '../access-tokens.js';
import type { Caller } from '../context.js';
import { MinigateError } from '../errors.js';
import { formatRefreshToken, newRefreshSecret } from '../refresh-tokens.js';
import type { SessionKeyCipher } from '../session-key-cipher.js';
import type { ServiceLogger } from './service-logger.js';
import type { SessionSettings } from './session-settings.js';
import type { LoginAnswer } from './views.js';
import { loginErrorFromWeChat } from './wechat-login-errors.js';

export interface LoginService {
  /** wx.login code → account, identity and profile upserted, a session opened → access and refresh tokens. */
  wechatLogin(code: string, caller: Caller): Promise<LoginAnswer>;
}

export type { ServiceLogger };

export interface LoginServiceDeps {
  db: Kysely<Database>;
  appid: string;
  code2session: Code2Session;
  accessTokens: AccessTokens;
  sessionKeys: SessionKeyCipher;
  sessions: SessionSettings;
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
    async wechatLogin(code, caller) {
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

      const at = now();
      const refresh = newRefreshSecret();
      const account = await signInWithIdentity(deps.db, {
        authType,
        identifier: session.openid,
        credential: deps.sessionKeys.encrypt(session.sessionKey),
        ip: caller.ip,
        at: new Date(at),
        linkedIdentities: session.unionid ? [{ authType: UNIONID_AUTH_TYPE, identifier: session.unionid }] : [],
        session: {
          refreshTokenHash: refresh.hash,
          expiresAt: new Date(at + deps.sessions.refreshTokenTtlSeconds * 1000),
          userAgent: caller.userAgent,
        },
      });
      if (account.dataFlag !== 1 || account.sessionId === null) {
        throw new MinigateError({ code: 'FORBIDDEN', reason: 'ACCOUNT_DISABLED', message: 'This account is disabled' });
      }

      return {
        ...deps.accessTokens.issue(account.accountId, account.sessionId),
        refreshToken: formatRefreshToken(account.sessionId, refresh.secret),
        account: { id: account.accountId, nickName: account.nickName, avatarUrl: account.avatar, isNew: account.isNew },
      };
    },
  };
}
