import { fail, ok, parseJsonObject, type Answer } from '../answers.js';
import type { Authorize, SimulatedEndpointDefinition, SimulatorContext, WeChatCall } from '../endpoint.js';
import { FaultQueue } from '../faults.js';
import { hmacHex } from '../pay/pay-crypto.js';
import type { SimulatedPaySettings } from '../pay/pay-types.js';
import { playerKey } from '../players.js';
import type { SimulatedEndpoint } from '../types.js';

interface Wallet {
  saved: number;
  present: number;
  sumSave: number;
  sumPresent: number;
  sumCost: number;
}

interface Bill {
  kind: 'pay' | 'cancelpay' | 'present';
  amount: number;
  /** For a pay: how much cancelpay gave back so far. */
  refunded: number;
  answer: Answer;
}

/** What the coin endpoints know of the app's item orders (queryorderinfo with biz_id 2). */
export type ItemOrderInfo = (appid: string, env: 0 | 1, openid: string, outTradeNo: string) => Answer | undefined;

interface Who {
  appid: string;
  player: string;
  env: 0 | 1;
  request: Record<string, unknown>;
}

const BILL_NO = /^[0-9A-Za-z-][0-9A-Za-z_-]{0,62}$/;
const refuse = (errcode: number) => ({ refusal: fail(errcode) });
const isAmount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

/**
 * Virtual payment 2.0's game coins: POST /wxa/game/getbalance, pay, cancelpay, present and queryorderinfo
 * with ?access_token&signature&sig_method=hmac_sha256&pay_sig. pay_sig must be hex(hmac_sha256(AppKey of
 * the body's env, uri + "&" + body)) (else 90011), signature hex(hmac_sha256(the player's CURRENT
 * session_key, body)) (else 90010; 90016 before any login), both lowercase as computed (an uppercase
 * one is refused). offer_id and zone_id must be the app's (90018), the app must have pay settings (90017).
 * Balances are per openid and env; a bill_no used before answers 90012 (as WeChat documents for a
 * retried pay); 90013 when the balance is too low; pay spends presented coins first.
 */
export function createGameCoins(context: SimulatorContext, authorize: Authorize, itemOrderInfo: ItemOrderInfo) {
  const { apps, players } = context;
  const wallets = new Map<string, Wallet>();
  const bills = new Map<string, Bill>();

  const walletOf = (appid: string, player: string, env: 0 | 1): Wallet => {
    const key = `${playerKey(appid, player)}\0${env}`;
    let wallet = wallets.get(key);
    if (!wallet) {
      wallet = { saved: 0, present: 0, sumSave: 0, sumPresent: 0, sumCost: 0 };
      wallets.set(key, wallet);
    }
    return wallet;
  };
  const billKey = (who: Who, billNo: string) => `${playerKey(who.appid, who.player)}\0${who.env}\0${billNo}`;

  /** The checked call's app, player, env and body, or WeChat's refusal. */
  const check = (uri: string, { method, query, body }: WeChatCall): Who | { refusal: Answer } => {
    if (method !== 'POST') return refuse(43002);
    const appid = authorize(query);
    if (typeof appid !== 'string') return { refusal: appid };
    const settings: SimulatedPaySettings | undefined = apps.get(appid)?.pay;
    if (!settings) return refuse(90017);
    const request = parseJsonObject(body);
    if (!request || typeof request.ts !== 'number') return refuse(90018);
    const { env } = request;
    if (env !== 0 && env !== 1) return refuse(90018);
    if (request.offer_id !== settings.offerId || request.zone_id !== settings.zoneId) return refuse(90018);
    const appKey = env === 0 ? settings.appKey : settings.sandboxAppKey;
    if (query.get('pay_sig') !== hmacHex(appKey, `${uri}&${body}`)) return refuse(90011);
    const player = players.playerOf(appid, typeof request.openid === 'string' ? request.openid : null);
    if (player === undefined) return refuse(40003);
    const session = players.session(appid, player);
    if (!session) return refuse(90016);
    if (query.get('sig_method') !== 'hmac_sha256' || query.get('signature') !== hmacHex(session.sessionKey, body)) return refuse(90010);
    return { appid, player, env, request };
  };

  const balanceOf = (wallet: Wallet) => wallet.saved + wallet.present;

  const handlers: Record<string, (who: Who) => Answer> = {
    getbalance(who) {
      const wallet = walletOf(who.appid, who.player, who.env);
      return ok({
        balance: balanceOf(wallet),
        present_balance: wallet.present,
        sum_save: wallet.sumSave,
        sum_present: wallet.sumPresent,
        sum_balance: wallet.sumSave + wallet.sumPresent,
        sum_cost: wallet.sumCost,
        first_save: wallet.sumSave === 0,
      });
    },
    pay(who) {
      const { amount, bill_no: billNo } = who.request;
      if (!isAmount(amount) || typeof billNo !== 'string' || !BILL_NO.test(billNo)) return fail(90018);
      if (bills.has(billKey(who, billNo))) return fail(90012);
      const wallet = walletOf(who.appid, who.player, who.env);
      if (balanceOf(wallet) < amount) return fail(90013);
      const usedPresent = Math.min(wallet.present, amount);
      wallet.present -= usedPresent;
      wallet.saved -= amount - usedPresent;
      wallet.sumCost += amount;
      const answer = ok({ bill_no: billNo, balance: balanceOf(wallet), used_present_amount: usedPresent });
      bills.set(billKey(who, billNo), { kind: 'pay', amount, refunded: 0, answer });
      return answer;
    },
    cancelpay(who) {
      const { amount, bill_no: billNo, pay_bill_no: payBillNo } = who.request;
      if (!isAmount(amount) || typeof billNo !== 'string' || !BILL_NO.test(billNo) || typeof payBillNo !== 'string') return fail(90018);
      const pay = bills.get(billKey(who, payBillNo));
      if (!pay || pay.kind !== 'pay') return fail(90000);
      if (bills.has(billKey(who, billNo))) return fail(90012);
      if (pay.refunded + amount > pay.amount) return fail(90018);
      pay.refunded += amount;
      const wallet = walletOf(who.appid, who.player, who.env);
      wallet.saved += amount;
      wallet.sumCost -= amount;
      const answer = ok({ bill_no: billNo });
      bills.set(billKey(who, billNo), { kind: 'cancelpay', amount, refunded: 0, answer });
      return answer;
    },
    present(who) {
      const { amount, bill_no: billNo } = who.request;
      if (!isAmount(amount) || typeof billNo !== 'string' || !BILL_NO.test(billNo)) return fail(90018);
      if (bills.has(billKey(who, billNo))) return fail(90012);
      const wallet = walletOf(who.appid, who.player, who.env);
      wallet.present += amount;
      wallet.sumPresent += amount;
      const answer = ok({ bill_no: billNo, balance: balanceOf(wallet) });
      bills.set(billKey(who, billNo), { kind: 'present', amount, refunded: 0, answer });
      return answer;
    },
    queryorderinfo(who) {
      const { out_trade_no: outTradeNo, biz_id: bizId } = who.request;
      if (typeof outTradeNo !== 'string' || !outTradeNo || (bizId !== 1 && bizId !== 2)) return fail(90018);
      const order = bizId === 2 ? itemOrderInfo(who.appid, who.env, String(who.request.openid), outTradeNo) : undefined;
      return order ? ok(order) : fail(90000);
    },
  };

  const definition = (name: string): SimulatedEndpointDefinition => {
    const uri = `/wxa/game/${name}`;
    const handle = handlers[name]!;
    return {
      name: `game_${name}` as SimulatedEndpoint,
      path: uri,
      faults: new FaultQueue(),
      answer(call) {
        const who = check(uri, call);
        return 'refusal' in who ? who.refusal : handle(who);
      },
    };
  };

  return {
    endpoints: {
      game_getbalance: definition('getbalance'),
      game_pay: definition('pay'),
      game_cancelpay: definition('cancelpay'),
      game_present: definition('present'),
      game_queryorderinfo: definition('queryorderinfo'),
    },
    setCoinBalance(appid: string, player: string, env: 0 | 1, amount: number): void {
      if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError('a balance is a whole number of coins, 0 or more');
      const wallet = walletOf(appid, player, env);
      wallet.sumSave += Math.max(0, amount - wallet.saved);
      wallet.saved = amount;
      wallet.present = 0;
    },
    coinBalance: (appid: string, player: string, env: 0 | 1): number => balanceOf(walletOf(appid, player, env)),
  };
}
