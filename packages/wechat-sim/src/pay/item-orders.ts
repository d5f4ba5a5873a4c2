import { randomBytes } from 'node:crypto';
import { parseJsonObject, type Answer } from '../answers.js';
import type { SimRoute, SimulatorContext } from '../endpoint.js';
import { hmacHex, offByOne } from './pay-crypto.js';
import type { SimulatedItemOrder, SimulatedItemOrderResult, SimulatedPushRecord, SimulatedSendPushOptions } from './pay-types.js';
import { pushMessage, type PushSender } from './push-sender.js';

// Confirmed in WeChat's docs (虚拟支付 2.0 道具直购, minigame/dev/guide/open-ability/virtual-payment/goods, via `search`):
// the events minigame_game_pay_goods_deliver_notify (in game) and minigame_h5_goods_deliver_notify (mall);
// ToUserName, FromUserName (a fixed official openid), CreateTime, MsgType "event", Event, MiniGame { Payload (a JSON
// string), PayEventSig }; Payload { OpenId, Env, OutTradeNo, GoodsInfo { ProductId, Quantity, ZoneId, OrigPrice,
// ActualPrice (fen), Attach, OrderSource }, WeChatPayInfo (WeChat Pay only) }; MiniGame.IsMock for WeChat's mock pushes
// (支付类事件订阅); the resend schedule (push-sender.ts). wx's errCodes -15001 (missing), -15002 (illegal), -15003
// (repeat), -15006 (currency), -15007 (paid) are wx.requestMidasPayment's table.
// Not confirmed: WeChatPayInfo's fields (MchOrderNo, TransactionId, PaidTime here), whether OrigPrice/ActualPrice are the
// order's total (taken as goodsPrice × buyQuantity, goodsPrice being the unit price), the receiver's answer
// {"ErrCode":0,"ErrMsg":"Success"} (from the issue; anything but HTTP 200 with ErrCode 0 counts as not delivered here),
// and -15012 "SIGNATURE INVALID" (a developer's report on developers.weixin.qq.com/community, not the reference).

/** The event of an in-game item delivery (道具直购, 游戏内). */
export const GOODS_DELIVER_EVENT = 'minigame_game_pay_goods_deliver_notify';

interface PaidOrder {
  appid: string;
  openid: string;
  env: 0 | 1;
  outTradeNo: string;
  productId: string;
  quantity: number;
  goodsPrice: number;
  paidAt: number;
  transactionId: string;
  delivered: boolean;
}

const OUT_TRADE_NO = /^[0-9A-Za-z_|*@-]{1,32}$/;
const METHOD = 'requestMidasPaymentGameItem';
const refuse = (errCode: number, reason: string): SimulatedItemOrderResult => ({ ok: false, errCode, errMsg: `${METHOD}:fail ${reason}` });

/**
 * wx.requestMidasPaymentGameItem on the player's phone, and the delivery push that follows. Refusals
 * use wx's errCodes: -15001 a missing parameter, -15002 an illegal one, -15006 a currency other than
 * CNY, -15007 an outTradeNo already paid, -15012 "SIGNATURE INVALID" (paySig with the AppKey of
 * signData.env, or signature with the player's current session key). A paid order's push carries
 * Payload { OpenId, Env, OutTradeNo, GoodsInfo { ProductId, Quantity, ZoneId, OrigPrice, ActualPrice,
 * Attach, OrderSource }, WeChatPayInfo { MchOrderNo, TransactionId, PaidTime } }, prices in fen for the
 * whole order (goodsPrice × buyQuantity), and PayEventSig with the env's AppKey.
 */
export function createItemOrders(context: SimulatorContext, sender: PushSender) {
  const { apps, players, now } = context;
  const orders = new Map<string, PaidOrder>();
  const keyOf = (appid: string, outTradeNo: string) => `${appid}\0${outTradeNo}`;
  const appKeyOf = (appid: string, env: 0 | 1) => {
    const settings = apps.get(appid)?.pay;
    return env === 1 ? settings?.sandboxAppKey : settings?.appKey;
  };

  /** The delivery message of a paid order, signed with its env's AppKey. */
  const messageOf = (order: PaidOrder, attach: unknown, mock = false) => {
    const total = order.goodsPrice * order.quantity;
    const payload = JSON.stringify({
      OpenId: order.openid,
      Env: order.env,
      OutTradeNo: order.outTradeNo,
      GoodsInfo: {
        ProductId: order.productId,
        Quantity: order.quantity,
        ZoneId: apps.get(order.appid)?.pay?.zoneId,
        OrigPrice: total,
        ActualPrice: total,
        Attach: typeof attach === 'string' ? attach : '',
        OrderSource: 1,
      },
      WeChatPayInfo: { MchOrderNo: `mch${order.transactionId}`, TransactionId: order.transactionId, PaidTime: Math.floor(order.paidAt / 1000) },
    });
    const sig = hmacHex(appKeyOf(order.appid, order.env) ?? '', `${GOODS_DELIVER_EVENT}&${payload}`);
    return pushMessage(context, order.appid, GOODS_DELIVER_EVENT, { Payload: payload, PayEventSig: sig, IsMock: mock });
  };

  /** Checks and pays; starts the delivery push (its first send's promise), as the phone's payment does. */
  function place(
    appid: string,
    player: string,
    order: SimulatedItemOrder,
  ): { result: SimulatedItemOrderResult; delivery?: Promise<SimulatedPushRecord> } {
    const settings = apps.get(appid)?.pay;
    if (!settings) return { result: refuse(-15002, 'the app has no virtual payment') };
    const data = typeof order.signData === 'string' ? parseJsonObject(order.signData) : null;
    if (!data) return { result: refuse(-15002, 'signData must be a JSON string') };
    const env = data.env ?? 0;
    if (env !== 0 && env !== 1) return { result: refuse(-15002, 'env') };
    const session = players.session(appid, player);
    const paySig = hmacHex(env === 1 ? settings.sandboxAppKey : settings.appKey, `${METHOD}&${order.signData}`);
    if (!session || order.paySig !== paySig || order.signature !== hmacHex(session.sessionKey, order.signData))
      return { result: refuse(-15012, 'SIGNATURE INVALID') };
    const { mode, offerId, buyQuantity, currencyType, productId, goodsPrice, outTradeNo, zoneId, attach } = data;
    if ([mode, offerId, buyQuantity, currencyType, productId, goodsPrice, outTradeNo].some((value) => value === undefined))
      return { result: refuse(-15001, 'a parameter is missing') };
    if (mode !== 'goods' || offerId !== settings.offerId || (zoneId !== undefined && zoneId !== settings.zoneId))
      return { result: refuse(-15002, 'mode, offerId or zoneId') };
    if (currencyType !== 'CNY') return { result: refuse(-15006, 'currencyType') };
    const whole = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
    if (!whole(buyQuantity) || !whole(goodsPrice) || typeof productId !== 'string' || !productId)
      return { result: refuse(-15002, 'buyQuantity, goodsPrice or productId') };
    if (typeof outTradeNo !== 'string' || !OUT_TRADE_NO.test(outTradeNo) || outTradeNo.startsWith('_'))
      return { result: refuse(-15002, 'outTradeNo') };
    if (orders.has(keyOf(appid, outTradeNo))) return { result: refuse(-15007, 'the order is paid already') };

    const paid: PaidOrder = {
      appid,
      openid: players.openidFor(appid, player),
      env,
      outTradeNo,
      productId,
      quantity: buyQuantity,
      goodsPrice,
      paidAt: now(),
      transactionId: `42000${randomBytes(10).toString('hex')}`,
      delivered: false,
    };
    orders.set(keyOf(appid, outTradeNo), paid);
    const result: SimulatedItemOrderResult = { ok: true, outTradeNo, env, errMsg: `${METHOD}:ok` };
    if (!settings.pushUrl) return { result };
    const delivery = sender.deliver(
      appid,
      GOODS_DELIVER_EVENT,
      outTradeNo,
      () => messageOf(paid, attach),
      () => (paid.delivered = true),
    );
    return { result, delivery };
  }

  const route: SimRoute = {
    path: '/sim/pay',
    answer({ appid, player }, params) {
      const order = { signData: params.signData, paySig: params.paySig, signature: params.signature } as SimulatedItemOrder;
      const { result } = place(appid, player, order);
      return { status: result.ok ? 200 : 400, body: result };
    },
  };

  return {
    route,
    async payItemOrder(appid: string, player: string, order: SimulatedItemOrder): Promise<SimulatedItemOrderResult> {
      const { result, delivery } = place(appid, player, order);
      await delivery;
      return result;
    },
    /** A hand-made push: PayEventSig good or one digit off, IsMock as asked; sent once. */
    sendPush(appid: string, event: string, payload: string | Record<string, unknown>, options: SimulatedSendPushOptions = {}) {
      const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
      const env = options.env ?? (parseJsonObject(text)?.Env === 1 ? 1 : 0);
      const good = hmacHex(appKeyOf(appid, env) ?? '', `${event}&${text}`);
      const miniGame = { Payload: text, PayEventSig: options.sign === 'bad' ? offByOne(good) : good, IsMock: options.mock ?? false };
      return sender.sendOnce(appid, event, pushMessage(context, appid, event, miniGame));
    },
    /** queryorderinfo's answer for an item order of this openid and env. */
    orderInfo(appid: string, env: 0 | 1, openid: string, outTradeNo: string): Answer | undefined {
      const order = orders.get(keyOf(appid, outTradeNo));
      if (!order || order.env !== env || order.openid !== openid) return undefined;
      return {
        product_id: order.productId,
        pay_state: 2,
        deliver_state: order.delivered ? 2 : 1,
        pay_finish_time: Math.floor(order.paidAt / 1000),
        out_trade_no: order.outTradeNo,
        mch_order_no: `mch${order.transactionId}`,
        transaction_id: order.transactionId,
      };
    },
  };
}
