import type { AuthenticatedUser } from '../context.js';
import type { WeChatApi } from '@minigate/wechat';
import type { ServiceLogger } from './service-logger.js';
import type { PlayerSessionKey, SessionKeys } from './session-keys.js';
import type { ScoreAnswer } from './views.js';
import { sessionKeyStale, wechatCallError } from './wechat-call-errors.js';

export interface RankingService {
  /** Writes the player's score for `key` into their WeChat hosted data, which the game's open data context ranks among friends. */
  submitScore(user: AuthenticatedUser, key: string, score: number, log: ServiceLogger): Promise<ScoreAnswer>;
  /** Deletes keys from the player's hosted data. */
  removeScores(user: AuthenticatedUser, keys: readonly string[], log: ServiceLogger): Promise<{ removed: number }>;
}

export interface RankingServiceDeps {
  wechat: WeChatApi;
  sessionKeys: SessionKeys;
  /**
   * WECHAT_SESSION_KEY_CHECK_AGE: a session key older than this many
   * seconds is checked with WeChat (checksession) before a write signed with
   * it, at most once per this period per player and instance.
   */
  sessionKeyCheckAgeSeconds: number;
  now?: () => number;
}

/** Players whose old key was confirmed lately, per instance; bounded. */
const CHECKED_MAX = 10_000;

export function createRankingService(deps: RankingServiceDeps): RankingService {
  const now = deps.now ?? Date.now;
  const checkAgeMs = deps.sessionKeyCheckAgeSeconds * 1000;
  const checked = new Map<number, number>();

  /** The player's key, confirmed with WeChat first when it is old: a write signed with a stale key is answered 87009 anyway, this says so before. */
  async function usableKey(accountId: number, log: ServiceLogger): Promise<PlayerSessionKey> {
    const key = await deps.sessionKeys.current(accountId);
    const age = key.issuedAt === null ? Infinity : now() - key.issuedAt;
    const confirmedAt = checked.get(accountId);
    if (age < checkAgeMs || (confirmedAt !== undefined && now() - confirmedAt < checkAgeMs)) return key;
    let valid: boolean;
    try {
      valid = await deps.wechat.withAccessToken((accessToken) =>
        deps.wechat.checkSessionKey({ accessToken, openid: key.openid, sessionKey: key.sessionKey }),
      );
    } catch (error) {
      throw wechatCallError(error, log, 'checksession');
    }
    if (!valid) {
      checked.delete(accountId);
      throw sessionKeyStale();
    }
    if (checked.size >= CHECKED_MAX) checked.delete(checked.keys().next().value as number);
    checked.set(accountId, now());
    return key;
  }

  async function signed(
    accountId: number,
    name: string,
    log: ServiceLogger,
    call: (accessToken: string, key: PlayerSessionKey) => Promise<void>,
  ): Promise<void> {
    const key = await usableKey(accountId, log);
    try {
      await deps.wechat.withAccessToken((accessToken) => call(accessToken, key));
    } catch (error) {
      const mapped = wechatCallError(error, log, name);
      if ((mapped as { reason?: string }).reason === 'SESSION_KEY_STALE') checked.delete(accountId);
      throw mapped;
    }
  }

  return {
    async submitScore(user, key, score, log) {
      const updatedAt = Math.floor(now() / 1000);
      // WeChat's format for a friend ranking's value (托管数据): the open data context reads wxgame.score.
      const value = JSON.stringify({ wxgame: { score, update_time: updatedAt } });
      await signed(user.accountId, 'set_user_storage', log, (accessToken, session) =>
        deps.wechat.setUserStorage({ accessToken, openid: session.openid, sessionKey: session.sessionKey, kvList: [{ key, value }] }),
      );
      return { key, score, updatedAt };
    },

    async removeScores(user, keys, log) {
      await signed(user.accountId, 'remove_user_storage', log, (accessToken, session) =>
        deps.wechat.removeUserStorage({ accessToken, openid: session.openid, sessionKey: session.sessionKey, keys }),
      );
      return { removed: keys.length };
    },
  };
}
