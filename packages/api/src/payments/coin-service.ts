import { randomBytes } from 'node:crypto';
import { findCoinSpend, openCoinSpend, recordAudit, settleCoinSpend, type Database, type Kysely } from '@minigate/db';
import {
  CoinBalanceTooLowError,
  CoinBillExistsError,
  WeChatBusyError,
  WeChatTimeoutError,
  WeChatUnavailableError,
  type CoinCall,
} from '@minigate/wechat';
import type { ServedApp, ServedApps } from '../apps/served-apps.js';
import type { AuthenticatedUser, Caller } from '../context.js';
import { MinigateError } from '../errors.js';
import type { SessionKeys } from '../services/session-keys.js';
import { wechatCallError } from '../services/wechat-call-errors.js';
import { payingApp } from './item-order-service.js';
import { appKeyOf, type PaySettings } from './pay-settings.js';

export interface CoinService {
  /** The player's game coins at WeChat. */
  balance(user: AuthenticatedUser, caller: Caller): Promise<{ balance: number; presentBalance: number }>;
  /**
   * Spends the player's game coins once per bill number: a retry with the
   * same bill never charges twice (WeChat's -1 and timeouts are retried with
   * it, 90012 counts as done). 409 COINS_INSUFFICIENT when the balance is lower.
   */
  spend(
    user: AuthenticatedUser,
    spend: { amount: number; billNo?: string; reason: string },
    caller: Caller,
  ): Promise<{ billNo: string; balance: number | null }>;
  /** An operator grants a player game coins (WeChat's present), once per bill number; audited. */
  present(
    grant: { accountId: number; appid: string; amount: number; billNo: string; reason: string; by: string },
    log: Caller['log'],
  ): Promise<{ billNo: string; balance: number | null }>;
  /** An operator cancels a player's spend (WeChat's cancelpay): the coins go back; audited. */
  cancelSpend(cancel: { billNo: string; reason: string; by: string }, log: Caller['log']): Promise<{ billNo: string; cancelled: boolean }>;
}

export interface CoinServiceDeps {
  db: Kysely<Database>;
  apps: ServedApps;
  sessionKeys: SessionKeys;
  /** Waits between the tries of one spend after -1 or a timeout (ms); default 200, 600. */
  retryDelaysMs?: readonly number[];
  now?: () => number;
}

const DEFAULT_RETRY_DELAYS_MS = [200, 600];

/** A bill number of ours: WeChat allows 63 characters of digits, letters, _ and -. */
const newBillNo = (now: number) => `mgc${now.toString(36)}${randomBytes(8).toString('hex')}`;

const retryable = (error: unknown) =>
  error instanceof WeChatBusyError || error instanceof WeChatTimeoutError || error instanceof WeChatUnavailableError;

export function createCoinService(deps: CoinServiceDeps): CoinService {
  const now = deps.now ?? Date.now;
  const delays = deps.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;

  /** What every coin call of this player names: openid, current session key, the game's pay settings. */
  async function callOf(app: ServedApp & { pay: PaySettings }, user: AuthenticatedUser, caller: Caller): Promise<Omit<CoinCall, 'accessToken'>> {
    const key = await deps.sessionKeys.current(user.accountId, app);
    return {
      appKey: appKeyOf(app.pay, app.pay.env)!,
      openid: key.openid,
      sessionKey: key.sessionKey,
      offerId: app.pay.offerId,
      zoneId: app.pay.zoneId,
      env: app.pay.env,
      userIp: caller.ip,
    };
  }

  /** A game that takes payments, by appid (an operator names it). */
  const gameOf = (appid: string) => {
    const app = deps.apps.get(appid);
    if (!app?.wechat || !app.pay)
      throw new MinigateError({
        code: 'BAD_REQUEST',
        reason: 'PAYMENTS_NOT_CONFIGURED',
        message: `The game ${appid} takes no payments on this server`,
      });
    return app as ServedApp & { pay: PaySettings };
  };
  const operatorCaller = (log: Caller['log']): Caller => ({ ip: '127.0.0.1', userAgent: 'pnpm admin', log });

  return {
    async present(grant, log) {
      const app = gameOf(grant.appid);
      const call = await callOf(app, { accountId: grant.accountId, sessionId: 0, appid: app.appid }, operatorCaller(log));
      let balance: number | null = null;
      try {
        balance = (
          await app.wechat!.withAccessToken((accessToken) => app.coins!.present({ ...call, accessToken, amount: grant.amount, billNo: grant.billNo }))
        ).balance;
      } catch (error) {
        // Presented before under this bill: done, once.
        if (!(error instanceof CoinBillExistsError)) throw wechatCallError(error, log, 'game_present');
      }
      await recordAudit(deps.db, {
        accountId: grant.accountId,
        action: 'present_coins',
        reason: `${grant.billNo}: ${grant.amount} coins: ${grant.reason}`,
        actor: grant.by,
      });
      return { billNo: grant.billNo, balance };
    },

    async cancelSpend(cancel, log) {
      const spend = await findCoinSpend(deps.db, cancel.billNo);
      if (!spend) throw new MinigateError({ code: 'NOT_FOUND', reason: 'INPUT_INVALID', message: `No spend has bill number ${cancel.billNo}` });
      if (spend.status === 'cancelled') return { billNo: cancel.billNo, cancelled: false };
      if (spend.status !== 'paid')
        throw new MinigateError({
          code: 'CONFLICT',
          reason: 'BILL_CONFLICT',
          message: `The spend ${cancel.billNo} is ${spend.status}, not paid: nothing to cancel`,
        });
      const app = gameOf(spend.appid);
      const call = await callOf(app, { accountId: spend.accountId, sessionId: 0, appid: app.appid }, operatorCaller(log));
      // The refund's own bill number, derived from the spend's: a cancel run twice is one refund at WeChat (90012).
      const refundBillNo = `rf-${cancel.billNo}`.slice(0, 63);
      try {
        await app.wechat!.withAccessToken((accessToken) =>
          app.coins!.cancelPay({ ...call, accessToken, payBillNo: cancel.billNo, billNo: refundBillNo, amount: spend.amount }),
        );
      } catch (error) {
        if (!(error instanceof CoinBillExistsError)) throw wechatCallError(error, log, 'game_cancelpay');
      }
      await settleCoinSpend(deps.db, cancel.billNo, { status: 'cancelled', balanceAfter: null, at: new Date(now()) });
      await recordAudit(deps.db, {
        accountId: spend.accountId,
        action: 'cancel_coin_spend',
        reason: `${cancel.billNo}: ${cancel.reason}`,
        actor: cancel.by,
      });
      return { billNo: cancel.billNo, cancelled: true };
    },

    async balance(user, caller) {
      const app = payingApp(deps.apps, user);
      const call = await callOf(app, user, caller);
      try {
        const balance = await app.wechat!.withAccessToken((accessToken) => app.coins!.getBalance({ ...call, accessToken }));
        return { balance: balance.balance, presentBalance: balance.presentBalance };
      } catch (error) {
        throw wechatCallError(error, caller.log, 'game_getbalance');
      }
    },

    async spend(user, spend, caller) {
      const app = payingApp(deps.apps, user);
      const billNo = spend.billNo ?? newBillNo(now());
      const { spend: known } = await openCoinSpend(deps.db, {
        billNo,
        appid: app.appid,
        accountId: user.accountId,
        amount: spend.amount,
        reason: spend.reason,
        env: app.pay.env,
        createTime: new Date(now()),
      });
      if (known.accountId !== user.accountId || known.appid !== app.appid || known.amount !== spend.amount) {
        throw new MinigateError({
          code: 'CONFLICT',
          reason: 'BILL_CONFLICT',
          message: 'This bill number was used for another spend: use a new one',
          fields: [{ path: 'billNo', message: 'used already, for another amount or player' }],
        });
      }
      if (known.status === 'paid') return { billNo, balance: known.balanceAfter };
      if (known.status === 'refused') throw coinsInsufficient();
      const call = await callOf(app, user, caller);
      for (let attempt = 0; ; attempt++) {
        try {
          const paid = await app.wechat!.withAccessToken((accessToken) =>
            app.coins!.pay({ ...call, accessToken, amount: spend.amount, billNo, remark: spend.reason.slice(0, 64) }),
          );
          await settleCoinSpend(deps.db, billNo, { status: 'paid', balanceAfter: paid.balance, at: new Date(now()) });
          return { billNo, balance: paid.balance };
        } catch (error) {
          // The first try went through after all (WeChat keeps a bill 48 hours): done, once.
          if (error instanceof CoinBillExistsError) {
            await settleCoinSpend(deps.db, billNo, { status: 'paid', balanceAfter: null, at: new Date(now()) });
            return { billNo, balance: null };
          }
          if (error instanceof CoinBalanceTooLowError) {
            await settleCoinSpend(deps.db, billNo, { status: 'refused', balanceAfter: null, at: new Date(now()) });
            throw coinsInsufficient();
          }
          if (retryable(error) && attempt < delays.length) {
            caller.log.warn({ billNo, attempt: attempt + 1 }, 'game_pay got no answer or -1: trying again with the same bill_no');
            await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
            continue;
          }
          // Still pending: the same billNo, sent again, settles it without charging twice.
          throw wechatCallError(error, caller.log, 'game_pay');
        }
      }
    },
  };
}

const coinsInsufficient = () =>
  new MinigateError({ code: 'CONFLICT', reason: 'COINS_INSUFFICIENT', message: 'The player has fewer game coins than the spend: nothing was spent' });
