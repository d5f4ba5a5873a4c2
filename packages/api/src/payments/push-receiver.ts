import { deliverPayOrder, finishPush, recordPush, type Database, type Kysely } from '@minigate/db';
import { openPushMessage, PushMessageError, verifyPayEventSignature, verifyPushSignature } from '@minigate/wechat';
import type { ServedApp, ServedApps } from '../apps/served-apps.js';
import type { ServiceLogger } from '../services/service-logger.js';
import { orderDelivery } from './order-grants.js';
import { appKeyOf, type PaySettings } from './pay-settings.js';

/** What the push receiver answers: an HTTP status and a body (JSON, or text for the handshake). */
export interface PushAnswer {
  status: number;
  body: string;
  contentType: 'application/json' | 'text/plain';
}

export interface PushReceiver {
  /** GET /push/<appid>: the URL check; echoes `echostr` when `signature` is the push Token's. */
  verify(appid: string, query: Record<string, string | undefined>): PushAnswer;
  /** POST /push/<appid>: one message push (plain JSON or the AES safe mode), dispatched on MsgType and Event. */
  receive(appid: string, query: Record<string, string | undefined>, rawBody: string, log: ServiceLogger): Promise<PushAnswer>;
}

export interface PushReceiverDeps {
  db: Kysely<Database>;
  apps: ServedApps;
  /** Told of each account an order's delivery changed (its wallet). */
  onDelivered?: (accountId: number) => void;
  now?: () => number;
}

/** The in-game item delivery (道具直购, 游戏内). */
export const GOODS_DELIVER_EVENT = 'minigame_game_pay_goods_deliver_notify';

const json = (status: number, body: unknown): PushAnswer => ({ status, body: JSON.stringify(body), contentType: 'application/json' });
const text = (status: number, body: string): PushAnswer => ({ status, body, contentType: 'text/plain' });
/** WeChat's "delivered": for the first push and every repeat alike. */
const SUCCESS = json(200, { ErrCode: 0, ErrMsg: 'Success' });
/** A refusal WeChat sends again later (a non-zero ErrCode), nothing granted. */
const refused = (errCode: number, errMsg: string) => json(200, { ErrCode: errCode, ErrMsg: errMsg });

interface DeliverPayload {
  OpenId: string;
  Env: number;
  OutTradeNo: string;
  GoodsInfo: { ProductId: string; Quantity: number; OrigPrice: number };
}

/** The payload's fields as the delivery needs them, or null when one is missing or of the wrong type. */
function deliverPayloadOf(payload: string): DeliverPayload | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  const p = value as Partial<DeliverPayload> | null;
  const goods = p?.GoodsInfo;
  if (!p || typeof p.OpenId !== 'string' || typeof p.Env !== 'number' || typeof p.OutTradeNo !== 'string') return null;
  if (!goods || typeof goods.ProductId !== 'string' || typeof goods.Quantity !== 'number' || typeof goods.OrigPrice !== 'number') return null;
  return p as DeliverPayload;
}

/**
 * The message-push receiver of each game. Every push is kept (pay_push)
 * before it is acted on; a delivery is granted once per OutTradeNo (the
 * order's wallet change is keyed by it) and every repeat is answered as the
 * first. A bad signature, an unknown order or one whose product, quantity,
 * price, player or env differs is refused with a non-zero ErrCode and
 * nothing granted; a mock push (IsMock) is checked and answered, never delivered.
 */
export function createPushReceiver(deps: PushReceiverDeps): PushReceiver {
  const now = deps.now ?? Date.now;
  const payingApp = (appid: string): (ServedApp & { pay: PaySettings }) | null => {
    const app = deps.apps.get(appid);
    return app?.wechat && app.pay ? (app as ServedApp & { pay: PaySettings }) : null;
  };

  async function deliver(app: ServedApp & { pay: PaySettings }, message: Record<string, unknown>, pushId: number, log: ServiceLogger) {
    const miniGame = message.MiniGame as { Payload?: unknown; PayEventSig?: unknown; IsMock?: unknown } | undefined;
    if (typeof miniGame?.Payload !== 'string' || typeof miniGame.PayEventSig !== 'string')
      return { answer: refused(1, 'MiniGame.Payload and PayEventSig are required'), outcome: 'malformed', recorded: false };
    const payload = deliverPayloadOf(miniGame.Payload);
    if (!payload) return { answer: refused(1, 'the Payload lacks a field'), outcome: 'malformed', recorded: false };
    const appKey = appKeyOf(app.pay, payload.Env);
    if (!appKey || !verifyPayEventSignature(appKey, GOODS_DELIVER_EVENT, miniGame.Payload, miniGame.PayEventSig)) {
      log.warn({ appid: app.appid, outTradeNo: payload.OutTradeNo }, 'a delivery push with a bad PayEventSig: refused, nothing granted');
      return { answer: refused(2, 'PayEventSig does not match'), outcome: 'bad_signature', recorded: false };
    }
    if (miniGame.IsMock === true) return { answer: SUCCESS, outcome: 'mock', recorded: false };
    const goods = payload.GoodsInfo;
    const at = new Date(now());
    // The order is read and checked inside the delivery's transaction: one read, and the push's outcome written with it.
    const { outcome, order } = await deliverPayOrder(deps.db, {
      outTradeNo: payload.OutTradeNo,
      pushId,
      at,
      check: (found) =>
        found.appid === app.appid &&
        goods.ProductId === found.productId &&
        goods.Quantity === found.quantity &&
        goods.OrigPrice === found.totalPrice &&
        payload.OpenId === found.openid &&
        payload.Env === found.env,
      grant: (found) => orderDelivery(found, at),
    });
    if (outcome === 'unknown' || (outcome === 'refused' && order?.appid !== app.appid)) {
      log.warn({ appid: app.appid, outTradeNo: payload.OutTradeNo }, 'a delivery push for an order this server never made: refused');
      return { answer: refused(3, 'no such order'), outcome: 'unknown_order', recorded: false };
    }
    if (outcome === 'refused') {
      log.error(
        { appid: app.appid, outTradeNo: payload.OutTradeNo },
        'a delivery push differs from its order (product, quantity, price, player or env): refused',
      );
      return { answer: refused(4, 'the push differs from the order'), outcome: 'mismatch', recorded: false };
    }
    if (outcome === 'delivered' && order) deps.onDelivered?.(order.accountId);
    return { answer: SUCCESS, outcome, recorded: true };
  }

  return {
    verify(appid, query) {
      const app = payingApp(appid);
      if (!app) return text(404, 'no such push receiver');
      const { signature, timestamp, nonce, echostr } = query;
      if (!timestamp || !nonce || echostr === undefined || !verifyPushSignature(app.pay.pushToken, { signature, timestamp, nonce })) {
        return text(401, 'signature does not match');
      }
      return text(200, echostr);
    },

    async receive(appid, query, rawBody, log) {
      const app = payingApp(appid);
      if (!app) return text(404, 'no such push receiver');
      const { timestamp = '', nonce = '' } = query;
      let envelope: Record<string, unknown>;
      try {
        envelope = JSON.parse(rawBody) as Record<string, unknown>;
        if (typeof envelope !== 'object' || envelope === null) throw new Error('not an object');
      } catch {
        return refused(400, 'the body is not a JSON object');
      }
      let message = envelope;
      if (typeof envelope.Encrypt === 'string') {
        if (!app.pay.pushAesKey) return refused(400, 'an encrypted push, and no EncodingAESKey configured');
        try {
          const opened = openPushMessage(
            { token: app.pay.pushToken, aesKey: app.pay.pushAesKey, appid },
            { msgSignature: query.msg_signature, timestamp, nonce },
            envelope.Encrypt,
          );
          message = JSON.parse(opened) as Record<string, unknown>;
        } catch (error) {
          const problem = error instanceof PushMessageError ? error.message : 'the decrypted message is not JSON';
          log.warn({ appid }, `a safe-mode push refused: ${problem}`);
          return refused(401, 'the push does not open with this Token and EncodingAESKey');
        }
      } else if (!verifyPushSignature(app.pay.pushToken, { signature: query.signature, timestamp, nonce })) {
        log.warn({ appid }, "a push whose signature is not the push Token's: refused");
        return refused(401, 'signature does not match');
      }
      const event = typeof message.Event === 'string' ? message.Event : '';
      const payload = (message.MiniGame as { Payload?: unknown } | undefined)?.Payload;
      const outTradeNo = typeof payload === 'string' ? (deliverPayloadOf(payload)?.OutTradeNo ?? null) : null;
      // Kept before anything is done: a delivery that fails half way is finished by the next push, and operators can see each.
      const pushId = await recordPush(deps.db, {
        appid,
        event: event.slice(0, 64) || String(message.MsgType ?? '').slice(0, 64),
        outTradeNo: outTradeNo?.slice(0, 32) ?? null,
        body: JSON.stringify(message),
        at: new Date(now()),
      });
      if (message.MsgType !== 'event' || event !== GOODS_DELIVER_EVENT) {
        await finishPush(deps.db, pushId, 'ignored', new Date(now()));
        return text(200, 'success');
      }
      const { answer, outcome, recorded } = await deliver(app, message, pushId, log);
      // A delivery's transaction wrote the push's outcome itself; a refusal's is written here.
      if (!recorded) await finishPush(deps.db, pushId, outcome, new Date(now()));
      return answer;
    },
  };
}
