import {
  clearNicknameIf,
  dueContentRechecks,
  finishContentRecheck,
  postponeContentRecheck,
  queueContentRecheck,
  type Database,
  type Kysely,
} from '@minigate/db';
import { MSG_SEC_SCENE, WeChatError, WeChatMisconfiguredError, type MsgSecCheckResult } from '@minigate/wechat';
import type { ServedApp } from '../apps/served-apps.js';
import { MinigateError } from '../errors.js';
import type { ServiceLogger } from './service-logger.js';
import type { SessionKeys } from './session-keys.js';

/** pass: WeChat judged it fine (or only "review"); deferred: WeChat could not judge, stored and rechecked later; unchecked: no openid to judge it for. */
export type ContentVerdict = 'pass' | 'deferred' | 'unchecked';

export interface ContentGuard {
  /**
   * Asks WeChat's msg_sec_check (version 2, the player's openid) about a
   * nickname. Throws CONTENT_RISKY (422) naming `field` when WeChat calls it
   * risky. When WeChat cannot judge (down, slow, busy, its quota), resolves
   * 'deferred': the caller stores it and calls `deferred()`.
   */
  checkNickname(accountId: number, nickName: string, field: string, log: ServiceLogger): Promise<ContentVerdict>;
  /** Queues a stored nickname for another check. */
  deferred(accountId: number, nickName: string): Promise<void>;
  /** Checks the queued nicknames that are due; a risky one is blanked if still in place. Returns how many got a verdict. */
  recheck(): Promise<number>;
}

export interface ContentGuardDeps {
  db: Kysely<Database>;
  /** The WeChat game whose msg_sec_check judges, with the player's openid there; null: no WeChat game, nothing is judged. */
  app: ServedApp | null;
  sessionKeys: SessionKeys;
  logger: ServiceLogger;
  /** Seconds before the first recheck, doubling up to an hour; default 60. */
  recheckDelaySeconds?: number;
  now?: () => number;
}

const BATCH = 50;
const MAX_DELAY_SECONDS = 3600;

export function createContentGuard(deps: ContentGuardDeps): ContentGuard {
  const now = deps.now ?? Date.now;
  const firstDelay = deps.recheckDelaySeconds ?? 60;

  /** WeChat's verdict, or null when it could not give one. */
  const app = deps.app;
  const wechat = app?.wechat ?? null;
  /** The player's openid in the judging game, or null (no such game, or no identity there). */
  const openidOf = (accountId: number) => (app ? deps.sessionKeys.openidOf(accountId, app) : Promise.resolve(null));

  const judge = async (openid: string, text: string, log: ServiceLogger): Promise<MsgSecCheckResult | null> => {
    if (!wechat) return null;
    try {
      return await wechat.withAccessToken((accessToken) =>
        wechat.msgSecCheck({ accessToken, openid, content: text, nickname: text, scene: MSG_SEC_SCENE.profile }),
      );
    } catch (error) {
      if (!(error instanceof WeChatError)) throw error;
      const write = error instanceof WeChatMisconfiguredError ? log.error.bind(log) : log.warn.bind(log);
      write({ errcode: error.errcode, error: error.message }, 'msg_sec_check gave no verdict: the text is stored and checked again later');
      return null;
    }
  };

  return {
    async checkNickname(accountId, nickName, field, log) {
      const openid = await openidOf(accountId);
      if (!openid) return 'unchecked';
      const verdict = await judge(openid, nickName, log);
      if (!verdict) return 'deferred';
      if (verdict.suggest === 'risky') {
        throw new MinigateError({
          code: 'UNPROCESSABLE_CONTENT',
          reason: 'CONTENT_RISKY',
          message: `WeChat's content check refused the ${field}: choose another`,
          fields: [{ path: field, message: 'refused by WeChat content security (msg_sec_check)' }],
        });
      }
      return 'pass';
    },

    async deferred(accountId, nickName) {
      await queueContentRecheck(deps.db, { accountId, field: 'nickName', content: nickName, at: new Date(now() + firstDelay * 1000) });
    },

    async recheck() {
      const due = await dueContentRechecks(deps.db, new Date(now()), BATCH);
      let judged = 0;
      for (const entry of due) {
        const openid = await openidOf(entry.accountId);
        if (!openid) {
          await finishContentRecheck(deps.db, entry.recheckId);
          continue;
        }
        const verdict = await judge(openid, entry.content, deps.logger);
        if (!verdict) {
          const delay = Math.min(MAX_DELAY_SECONDS, firstDelay * 2 ** Math.min(entry.attempts + 1, 16));
          await postponeContentRecheck(deps.db, entry.recheckId, new Date(now() + delay * 1000));
          continue;
        }
        judged += 1;
        if (verdict.suggest === 'risky' && (await clearNicknameIf(deps.db, entry.accountId, entry.content))) {
          deps.logger.info({ accountId: entry.accountId, label: verdict.label }, 'a nickname stored while WeChat was down was judged risky: blanked');
        }
        await finishContentRecheck(deps.db, entry.recheckId);
      }
      return judged;
    },
  };
}
