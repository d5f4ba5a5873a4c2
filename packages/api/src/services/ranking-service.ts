import { PlatformErrcodeError, PlatformTimeoutError, PlatformUnavailableError } from '@minigate/platforms';
import type { ServedApp, ServedApps } from '../apps/served-apps.js';
import { platformUnsupported, sessionApp } from '../apps/session-app.js';
import type { AuthenticatedUser } from '../context.js';
import { MinigateError } from '../errors.js';
import type { ServiceLogger } from './service-logger.js';
import type { PlayerSessionKey, SessionKeys } from './session-keys.js';
import type { ScoreAnswer } from './views.js';
import { platformFaultError } from './platform-login-errors.js';
import { sessionKeyStale, wechatCallError } from './wechat-call-errors.js';

export interface RankingService {
  /** Writes the player's score for `key` into the platform's hosted data of the session's game, which its open data context ranks among friends. */
  submitScore(user: AuthenticatedUser, key: string, score: number, log: ServiceLogger): Promise<ScoreAnswer>;
  /** Deletes keys from the player's hosted data. */
  removeScores(user: AuthenticatedUser, keys: readonly string[], log: ServiceLogger): Promise<{ removed: number }>;
}

export interface RankingServiceDeps {
  apps: ServedApps;
  sessionKeys: SessionKeys;
  /**
   * WECHAT_SESSION_KEY_CHECK_AGE: a WeChat session key older than this many
   * seconds is checked with WeChat (checksession) before a write signed with
   * it, at most once per this period per player, game and instance.
   */
  sessionKeyCheckAgeSeconds: number;
  now?: () => number;
}

/** Players whose old key was confirmed lately, per instance; bounded. */
const CHECKED_MAX = 10_000;

/** Douyin's user storage errcodes (set_user_storage) as the player sees them. */
const DOUYIN_STORAGE_ERRORS: ReadonlyMap<
  number,
  { reason: 'STORAGE_KEY_TOO_LONG' | 'STORAGE_VALUE_TOO_LONG' | 'STORAGE_TOO_MANY_KEYS'; message: string }
> = new Map([
  [40009, { reason: 'STORAGE_KEY_TOO_LONG', message: 'Douyin refused the key: over 128 bytes (40009)' }],
  [40010, { reason: 'STORAGE_VALUE_TOO_LONG', message: 'Douyin refused the score: key and value over 1024 bytes (40010)' }],
  [60001, { reason: 'STORAGE_TOO_MANY_KEYS', message: 'The player would keep more than 128 keys (60001): remove keys first' }],
]);

/** A failed Douyin storage call as the player sees it. */
function douyinCallError(error: unknown, log: ServiceLogger, call: string): unknown {
  if (error instanceof PlatformErrcodeError) {
    const storage = DOUYIN_STORAGE_ERRORS.get(error.errcode);
    if (storage) return new MinigateError({ code: 'BAD_REQUEST', ...storage, cause: error });
    log.warn({ call, errcode: error.errcode, error: error.message }, 'Douyin refused a call');
    return new MinigateError({
      code: 'BAD_GATEWAY',
      reason: 'PLATFORM_ERROR',
      message: `Douyin refused the call (errcode ${error.errcode})`,
      cause: error,
    });
  }
  if (error instanceof PlatformTimeoutError || error instanceof PlatformUnavailableError) {
    log.warn({ call, error: error.message }, 'Douyin could not serve a call');
    return platformFaultError(error, 'try again');
  }
  return wechatCallError(error, log, call);
}

export function createRankingService(deps: RankingServiceDeps): RankingService {
  const now = deps.now ?? Date.now;
  const checkAgeMs = deps.sessionKeyCheckAgeSeconds * 1000;
  const checked = new Map<string, number>();

  /** The player's WeChat key, confirmed with WeChat first when it is old: a write signed with a stale key is answered 87009 anyway, this says so before. */
  async function usableWeChatKey(app: ServedApp, accountId: number, log: ServiceLogger): Promise<PlayerSessionKey> {
    const wechat = app.wechat!;
    const key = await deps.sessionKeys.current(accountId, app);
    const age = key.issuedAt === null ? Infinity : now() - key.issuedAt;
    const player = `${app.appid}:${accountId}`;
    const confirmedAt = checked.get(player);
    if (age < checkAgeMs || (confirmedAt !== undefined && now() - confirmedAt < checkAgeMs)) return key;
    let valid: boolean;
    try {
      valid = await wechat.withAccessToken((accessToken) => wechat.checkSessionKey({ accessToken, openid: key.openid, sessionKey: key.sessionKey }));
    } catch (error) {
      throw wechatCallError(error, log, 'checksession');
    }
    if (!valid) {
      checked.delete(player);
      throw sessionKeyStale();
    }
    if (checked.size >= CHECKED_MAX) checked.delete(checked.keys().next().value as string);
    checked.set(player, now());
    return key;
  }

  /** Runs a signed write of the session's game's hosted data: WeChat's or Douyin's; QQ offers none to servers. */
  async function write(
    user: AuthenticatedUser,
    name: string,
    log: ServiceLogger,
    calls: {
      wechat: (accessToken: string, key: PlayerSessionKey) => Promise<void>;
      douyin: (key: PlayerSessionKey) => Promise<void>;
    },
  ): Promise<void> {
    const app = sessionApp(deps.apps, user);
    const wechat = app.wechat;
    if (wechat) {
      const key = await usableWeChatKey(app, user.accountId, log);
      try {
        await wechat.withAccessToken((accessToken) => calls.wechat(accessToken, key));
      } catch (error) {
        const mapped = wechatCallError(error, log, name);
        if ((mapped as { reason?: string }).reason === 'SESSION_KEY_STALE') checked.delete(`${app.appid}:${user.accountId}`);
        throw mapped;
      }
      return;
    }
    if (app.douyin) {
      const key = await deps.sessionKeys.current(user.accountId, app);
      try {
        await calls.douyin(key);
      } catch (error) {
        throw douyinCallError(error, log, name);
      }
      return;
    }
    throw platformUnsupported(app, 'A friend ranking written by the server');
  }

  return {
    async submitScore(user, key, score, log) {
      const updatedAt = Math.floor(now() / 1000);
      const app = sessionApp(deps.apps, user);
      // Each platform's format for a friend ranking's value (托管数据 / KVData): wxgame on WeChat, ttgame on Douyin.
      const value = (field: 'wxgame' | 'ttgame') => JSON.stringify({ [field]: { score, update_time: updatedAt } });
      await write(user, 'set_user_storage', log, {
        wechat: (accessToken, session) =>
          app.wechat!.setUserStorage({
            accessToken,
            openid: session.openid,
            sessionKey: session.sessionKey,
            kvList: [{ key, value: value('wxgame') }],
          }),
        douyin: (session) =>
          app.douyin!.setUserStorage({ openid: session.openid, sessionKey: session.sessionKey, kvList: [{ key, value: value('ttgame') }] }),
      });
      return { key, score, updatedAt };
    },

    async removeScores(user, keys, log) {
      const app = sessionApp(deps.apps, user);
      await write(user, 'remove_user_storage', log, {
        wechat: (accessToken, session) =>
          app.wechat!.removeUserStorage({ accessToken, openid: session.openid, sessionKey: session.sessionKey, keys }),
        douyin: (session) => app.douyin!.removeUserStorage({ openid: session.openid, sessionKey: session.sessionKey, keys: [...keys] }),
      });
      return { removed: keys.length };
    },
  };
}
