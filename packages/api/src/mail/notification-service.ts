import {
  addSubscribeCredits,
  findGameOpenid,
  readSubscribeCredits,
  settleSubscribeCredit,
  takeSubscribeCredit,
  type Database,
  type Kysely,
} from '@minigate/db';
import type { ServedApps } from '../apps/served-apps.js';
import type { AuthenticatedUser } from '../context.js';
import { MinigateError } from '../errors.js';
import type { ServiceLogger } from '../services/service-logger.js';
import { refusalError, subscribePlatformOf, type SubscribeSend } from './subscribe-platforms.js';

export type { SubscribeSend } from './subscribe-platforms.js';

/** What wx.requestSubscribeMessage (QQ: qq.subscribeAppMsg with tmplIds) answered, per template; errMsg is the call's own. */
export type SubscribeResults = Record<string, 'accept' | 'reject' | 'ban' | 'filter'>;

export interface NotificationService {
  /** One credit per template the player accepted, in the session's game (WeChat's or QQ's); answers the credits held. */
  recordSubscriptions(user: AuthenticatedUser, results: SubscribeResults): Promise<{ credits: Record<string, number> }>;
  /**
   * Sends a subscribe message with the game's shared access token (WeChat's subscribeMessage.send, QQ's
   * SendSubscriptionMessage), spending one of the player's credits: 409 SUBSCRIBE_NO_CREDIT (none: nothing
   * sent), 409 SUBSCRIBE_REFUSED (WeChat 43101, QQ 46001/46003: the platform says none either; the credits
   * drop to none), 400 SUBSCRIBE_DATA_INVALID (47003, QQ 40035) and SUBSCRIBE_TEMPLATE_INVALID (40037),
   * and QQ's 429 QQ_RATE_LIMITED (41030, 46002), each giving the credit back.
   */
  send(send: SubscribeSend, log: ServiceLogger): Promise<void>;
}

export function createNotificationService(deps: { db: Kysely<Database>; apps: ServedApps; now?: () => number }): NotificationService {
  const now = () => new Date((deps.now ?? Date.now)());

  return {
    async recordSubscriptions(user, results) {
      const { appid } = subscribePlatformOf(deps.apps.ofSession(user.appid));
      const accepted = Object.entries(results)
        .filter(([, answer]) => answer === 'accept')
        .map(([templateId]) => templateId);
      await addSubscribeCredits(deps.db, user.accountId, appid, accepted, now());
      return { credits: await readSubscribeCredits(deps.db, user.accountId, appid) };
    },

    async send(send, log) {
      const platform = subscribePlatformOf(deps.apps.ofSession(send.appid));
      const { appid } = platform;
      if (!(await takeSubscribeCredit(deps.db, send.accountId, appid, send.templateId, now()))) {
        throw new MinigateError({
          code: 'CONFLICT',
          reason: 'SUBSCRIBE_NO_CREDIT',
          message: `The player has not allowed a send of template ${send.templateId}: nothing was sent`,
        });
      }
      const settle = (how: 'return' | 'none') => settleSubscribeCredit(deps.db, send.accountId, appid, send.templateId, how, now());
      const openid = await findGameOpenid(deps.db, send.accountId, platform.platform, appid);
      if (!openid) {
        await settle('return');
        throw new MinigateError({ code: 'NOT_FOUND', reason: 'ACCOUNT_NOT_FOUND', message: `The player has no openid in ${appid}` });
      }
      try {
        await platform.send(openid, send);
      } catch (error) {
        const refusal = platform.refusal(error);
        // No refusal: the platform may have sent it, so the credit stays spent.
        if (!refusal) throw platform.callError(error, log);
        await settle(refusal.kind === 'refused' ? 'none' : 'return');
        throw refusalError(platform, refusal, send, error);
      }
    },
  };
}
