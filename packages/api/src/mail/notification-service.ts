import {
  addSubscribeCredits,
  findGameOpenid,
  readSubscribeCredits,
  settleSubscribeCredit,
  takeSubscribeCredit,
  type Database,
  type Kysely,
} from '@minigate/db';
import { SubscribeDataInvalidError, SubscribeRefusedError, SubscribeTemplateInvalidError } from '@minigate/wechat';
import type { ServedApps } from '../apps/served-apps.js';
import type { AuthenticatedUser } from '../context.js';
import { MinigateError } from '../errors.js';
import type { ServiceLogger } from '../services/service-logger.js';
import { wechatCallError } from '../services/wechat-call-errors.js';

/** What wx.requestSubscribeMessage answered, per template; errMsg is the call's own. */
export type SubscribeResults = Record<string, 'accept' | 'reject' | 'ban' | 'filter'>;

export interface SubscribeSend {
  accountId: number;
  appid: string;
  templateId: string;
  data: Record<string, { value: string | number }>;
  page?: string;
}

export interface NotificationService {
  /** One credit per template the player accepted, in the session's game; answers the credits held. */
  recordSubscriptions(user: AuthenticatedUser, results: SubscribeResults): Promise<{ credits: Record<string, number> }>;
  /**
   * Sends a WeChat subscribe message (subscribeMessage.send with the game's shared access token), spending
   * one of the player's credits: 409 SUBSCRIBE_NO_CREDIT (none: nothing sent), 409 SUBSCRIBE_REFUSED (43101:
   * WeChat says none either; the credits drop to none), 400 SUBSCRIBE_DATA_INVALID (47003) and
   * SUBSCRIBE_TEMPLATE_INVALID (40037), both giving the credit back.
   */
  send(send: SubscribeSend, log: ServiceLogger): Promise<void>;
}

export function createNotificationService(deps: { db: Kysely<Database>; apps: ServedApps; now?: () => number }): NotificationService {
  const now = () => new Date((deps.now ?? Date.now)());

  const wechatGame = (appid: string | null) => {
    const app = deps.apps.ofSession(appid);
    if (!app?.wechat || app.platform !== 'wechat') {
      throw new MinigateError({
        code: 'BAD_REQUEST',
        reason: 'PLATFORM_UNSUPPORTED',
        message: 'Subscribe messages are WeChat’s: this game is not a WeChat game on this server',
      });
    }
    return app as typeof app & { wechat: NonNullable<typeof app.wechat> };
  };

  return {
    async recordSubscriptions(user, results) {
      const app = wechatGame(user.appid);
      const accepted = Object.entries(results)
        .filter(([, answer]) => answer === 'accept')
        .map(([templateId]) => templateId);
      await addSubscribeCredits(deps.db, user.accountId, app.appid, accepted, now());
      return { credits: await readSubscribeCredits(deps.db, user.accountId, app.appid) };
    },

    async send(send, log) {
      const app = wechatGame(send.appid);
      if (!(await takeSubscribeCredit(deps.db, send.accountId, app.appid, send.templateId, now()))) {
        throw new MinigateError({
          code: 'CONFLICT',
          reason: 'SUBSCRIBE_NO_CREDIT',
          message: `The player has not allowed a send of template ${send.templateId}: nothing was sent`,
        });
      }
      const settle = (how: 'return' | 'none') => settleSubscribeCredit(deps.db, send.accountId, app.appid, send.templateId, how, now());
      const openid = await findGameOpenid(deps.db, send.accountId, 'wechat', app.appid);
      if (!openid) {
        await settle('return');
        throw new MinigateError({ code: 'NOT_FOUND', reason: 'ACCOUNT_NOT_FOUND', message: `The player has no openid in ${app.appid}` });
      }
      try {
        await app.wechat.withAccessToken((accessToken) =>
          app.wechat.sendSubscribeMessage({
            accessToken,
            touser: openid,
            templateId: send.templateId,
            data: send.data,
            ...(send.page === undefined ? {} : { page: send.page }),
          }),
        );
      } catch (error) {
        if (error instanceof SubscribeRefusedError) {
          await settle('none');
          throw new MinigateError({
            code: 'CONFLICT',
            reason: 'SUBSCRIBE_REFUSED',
            message: 'WeChat says the player refused this template or has no send of it left (43101)',
            cause: error,
          });
        }
        if (error instanceof SubscribeDataInvalidError || error instanceof SubscribeTemplateInvalidError) {
          await settle('return');
          const data = error instanceof SubscribeDataInvalidError;
          throw new MinigateError({
            code: 'BAD_REQUEST',
            reason: data ? 'SUBSCRIBE_DATA_INVALID' : 'SUBSCRIBE_TEMPLATE_INVALID',
            message: data ? `WeChat refused the message's data (47003): ${error.message}` : `WeChat knows no template ${send.templateId} (40037)`,
            fields: [{ path: data ? 'data' : 'templateId', message: data ? 'not what the template takes' : 'not a template of the game' }],
            cause: error,
          });
        }
        // WeChat may have sent it: the credit stays spent.
        throw wechatCallError(error, log, 'subscribe_send');
      }
    },
  };
}
