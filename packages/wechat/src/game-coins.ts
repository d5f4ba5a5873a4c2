import { coinError } from './coin-errors.js';
import { errcodeTable, GAME_COIN_ERRCODES } from './errcodes.js';
import { coinPaySig, hmacSha256Hex } from './pay-signatures.js';
import type { WeChatTransport } from './transport.js';
import { callWeChat, wechatUrl } from './wechat-call.js';

// WeChat's game coins, virtual payment 2.0 (pay_v2.getBalance, pay, cancelPay, present, queryOrder).
//
// Confirmed in WeChat's official docs (developers.weixin.qq.com/minigame/dev/api-backend/midas-payment/…, via `search`):
// - Each is POST https://api.weixin.qq.com/wxa/game/<getbalance|pay|cancelpay|present|queryorderinfo>
//   ?access_token&signature&sig_method&pay_sig, all four required for all five (present and queryorderinfo
//   included, so they need the player's session key too); sig_method only "hmac_sha256".
// - Bodies: openid, offer_id, ts (seconds), zone_id, env (0 live, 1 sandbox), user_ip (documented as required);
//   getbalance adds coin_type (optional); pay adds amount (> 0), bill_no, payitem, remark (optional); cancelpay adds
//   amount (partial refunds allowed) , bill_no (the refund's own) and pay_bill_no (the pay's bill_no); present adds
//   amount, bill_no; queryorderinfo adds out_trade_no and biz_id (1 coins, 2 item orders).
// - bill_no: at most 63 characters of digits, letters, "_" and "-", not starting with "_".
// - Answers: getbalance balance, present_balance, sum_save, sum_present, sum_balance, sum_cost, first_save;
//   cancelpay bill_no; present bill_no, balance; queryorderinfo product_id, pay_state, deliver_state,
//   pay_finish_time, out_trade_no, mch_order_no, transaction_id.
// - errcodes: -1 busy (for pay: retry with the same bill_no until 90012 or anything but -1; idempotent for
//   48 hours); 90010 signature wrong; 90011 pay_sig wrong; 90012 the order exists; 90016 session key expired
//   (log in again); 90018 a parameter; 90000 order not found (cancelpay).
// Not confirmed (the excerpts stop short): pay's answer fields beyond errcode (bill_no, balance and
// used_present_amount are read as the 1.0 answer had them, renamed as 2.0 renamed the rest); 90013 (balance
// too low) and 90017 (no permission) for 2.0 (documented for 1.0's midas.pay and Douyin's copy of it); which
// errcode an offer_id or zone_id of another app gets (taken as 90018).

/** Where to call, and the clock for `ts` (seconds). */
export interface GameCoinsApp {
  apiBase: string;
  appid: string;
  now?: () => number;
}

/** What every coin call names: the player (openid and current session key), the app's pay settings, the env's AppKey. */
export interface CoinCall {
  accessToken: string;
  /** The AppKey of `env`: the live one for 0, the sandbox one for 1. */
  appKey: string;
  openid: string;
  /** The player's current session key: `signature` is hex(hmac_sha256(session_key, body)). */
  sessionKey: string;
  offerId: string;
  zoneId: string;
  env: 0 | 1;
  /** The player's IP (user_ip); WeChat documents it as required. */
  userIp?: string;
}

export interface CoinBalance {
  balance: number;
  presentBalance: number;
  sumSave: number;
  sumPresent: number;
  sumBalance: number;
  sumCost: number;
  firstSave: boolean;
}

export interface CoinPayRequest extends CoinCall {
  amount: number;
  billNo: string;
  payitem?: string;
  remark?: string;
}

export interface CoinCancelPayRequest extends CoinCall {
  /** The bill_no of the pay to refund. */
  payBillNo: string;
  /** The refund's own bill_no. */
  billNo: string;
  /** How many coins to give back (part of the pay is allowed). */
  amount: number;
}

export interface CoinPresentRequest extends CoinCall {
  amount: number;
  billNo: string;
}

export interface CoinQueryOrderRequest extends CoinCall {
  outTradeNo: string;
  /** 1 game coins, 2 item orders (道具直购); 2 by default. */
  bizId?: 1 | 2;
}

export interface GameCoinsApi {
  getBalance(r: CoinCall): Promise<CoinBalance>;
  pay(r: CoinPayRequest): Promise<{ billNo: string; balance: number; usedPresentAmount: number }>;
  cancelPay(r: CoinCancelPayRequest): Promise<{ billNo: string }>;
  present(r: CoinPresentRequest): Promise<{ billNo: string; balance: number }>;
  /** The order's fields as WeChat answers them (product_id, pay_state, deliver_state, ...), without errcode and errmsg. */
  queryOrderInfo(r: CoinQueryOrderRequest): Promise<Record<string, unknown>>;
}

const COIN_ERRORS = errcodeTable(GAME_COIN_ERRCODES);
/** WeChat's rule for bill_no. */
const BILL_NO = /^[0-9A-Za-z-][0-9A-Za-z_-]{0,62}$/;

function checkAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError('amount must be a whole number of coins above 0');
}
function checkBillNo(billNo: string, field = 'billNo'): void {
  if (!BILL_NO.test(billNo)) throw new RangeError(`${field} must be 1 to 63 digits, letters, "_" or "-", not starting with "_"`);
}
const numberOf = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const stringOf = (value: unknown, fallback: string) => (typeof value === 'string' ? value : fallback);

/** The five /wxa/game/* calls; each errcode is its error (CoinBillExistsError, CoinBalanceTooLowError, CoinSessionKeyInvalidError, ...). */
export function createGameCoinsApi(app: GameCoinsApp, transport: WeChatTransport): GameCoinsApi {
  const now = app.now ?? Date.now;

  /** Builds the body once, signs exactly those bytes, sends them. */
  async function call(name: string, r: CoinCall, fields: Record<string, unknown>): Promise<Record<string, unknown>> {
    const uri = `/wxa/game/${name}`;
    const body = JSON.stringify({
      openid: r.openid,
      offer_id: r.offerId,
      ts: Math.floor(now() / 1000),
      zone_id: r.zoneId,
      env: r.env,
      ...(r.userIp === undefined ? {} : { user_ip: r.userIp }),
      ...fields,
    });
    const url = wechatUrl(app.apiBase, uri, {
      access_token: r.accessToken,
      signature: hmacSha256Hex(r.sessionKey, body),
      sig_method: 'hmac_sha256',
      pay_sig: coinPaySig(r.appKey, uri, body),
    });
    try {
      return await callWeChat({
        transport,
        name: `game_${name}`,
        method: 'POST',
        url,
        body,
        secrets: [r.accessToken, r.sessionKey, r.appKey],
        errors: COIN_ERRORS,
      });
    } catch (error) {
      throw coinError(error);
    }
  }

  return {
    async getBalance(r) {
      const answer = await call('getbalance', r, {});
      return {
        balance: numberOf(answer.balance),
        presentBalance: numberOf(answer.present_balance),
        sumSave: numberOf(answer.sum_save),
        sumPresent: numberOf(answer.sum_present),
        sumBalance: numberOf(answer.sum_balance),
        sumCost: numberOf(answer.sum_cost),
        firstSave: answer.first_save === true,
      };
    },
    async pay(r) {
      checkAmount(r.amount);
      checkBillNo(r.billNo);
      const extra = { ...(r.payitem === undefined ? {} : { payitem: r.payitem }), ...(r.remark === undefined ? {} : { remark: r.remark }) };
      const answer = await call('pay', r, { amount: r.amount, bill_no: r.billNo, ...extra });
      return {
        billNo: stringOf(answer.bill_no, r.billNo),
        balance: numberOf(answer.balance),
        usedPresentAmount: numberOf(answer.used_present_amount),
      };
    },
    async cancelPay(r) {
      checkAmount(r.amount);
      checkBillNo(r.billNo);
      checkBillNo(r.payBillNo, 'payBillNo');
      const answer = await call('cancelpay', r, { amount: r.amount, bill_no: r.billNo, pay_bill_no: r.payBillNo });
      return { billNo: stringOf(answer.bill_no, r.billNo) };
    },
    async present(r) {
      checkAmount(r.amount);
      checkBillNo(r.billNo);
      const answer = await call('present', r, { amount: r.amount, bill_no: r.billNo });
      return { billNo: stringOf(answer.bill_no, r.billNo), balance: numberOf(answer.balance) };
    },
    async queryOrderInfo(r) {
      const answer = await call('queryorderinfo', r, { out_trade_no: r.outTradeNo, biz_id: r.bizId ?? 2 });
      const { errcode: _errcode, errmsg: _errmsg, ...order } = answer;
      return order;
    },
  };
}
