import { createHmac, timingSafeEqual } from 'node:crypto';

// WeChat's virtual payment 2.0 signatures (虚拟支付 2.0), pure functions without I/O.
//
// Confirmed in WeChat's official docs (developers.weixin.qq.com, via `search`):
// - wx.requestMidasPaymentGameItem (minigame/dev/api/midas-payment/wx.requestMidasPaymentGameItem):
//   paySig = to_hex(hmac_sha256(appkey, 'requestMidasPaymentGameItem' + '&' + signData)), signData the JSON
//   string itself (its fields: mode "goods", offerId, buyQuantity, env, currencyType, platform, zoneId,
//   productId, goodsPrice, outTradeNo, attach); signature = hmac_sha256(session_key, signData).
// - 虚拟支付签名 (minigame/introduction/commercialization/virtual-payment/signature): for the server API,
//   pay_sig = to_hex(hmac_sha256(app_key, uri + '&' + post_body)), uri the API path without the query
//   (/wxa/game/getbalance, /wxa/game/pay, /wxa/game/cancelpay, /wxa/game/present), app_key the AppKey of
//   the request's env; signature = the user login state signature hex(hmac_sha256(session_key, post_body)).
// - 支付类事件订阅 (minigame/dev/guide/open-ability/virtual-payment/event): pay_event_sig =
//   to_hex(hmac_sha256(app_key, event + '&' + payload)), app_key that of the push's env (Payload.Env).
// - The test vector (pay-signatures.test.ts): appkey "12345", uri /xpay/query_user_balance, body
//   {"openid": "xxx", "user_ip": "127.0.0.1", "env": 0}, session_key "9hAb/NEYUlkaMBEsmFgzig==" (WeChat's
//   virtual payment signature example, as quoted on developers.weixin.qq.com/community).
// Not confirmed: that WeChat refuses an uppercase hex signature (the docs show lowercase hex only, Python's
// hexdigest()); these functions make and accept lowercase only, as the contract asks.

/** A signature as WeChat writes it: 64 lowercase hex digits (HMAC-SHA256). */
const HMAC_SHA256_HEX = /^[0-9a-f]{64}$/;

/** hex(hmac_sha256(key, data)), lowercase, both UTF-8. Never log the key. */
export function hmacSha256Hex(key: string, data: string): string {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(Buffer.from(data, 'utf8')).digest('hex');
}

/**
 * Whether `given` is exactly `expected` (both lowercase hex of the same length), compared in
 * constant time: an uppercase or mixed-case signature, one of another length, or a non-string is false.
 */
export function lowercaseHexEquals(given: unknown, expected: string, pattern: RegExp = HMAC_SHA256_HEX): boolean {
  if (typeof given !== 'string' || !pattern.test(given) || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given, 'utf8'), Buffer.from(expected, 'utf8'));
}

/** What wx.requestMidasPaymentGameItem needs besides signData: both signatures over signData's exact characters. */
export interface ItemOrderSignatures {
  /** hex(hmac_sha256(appKey, "requestMidasPaymentGameItem&" + signData)), with the AppKey of signData's env. */
  paySig: string;
  /** hex(hmac_sha256(session_key, signData)), with the player's current session key. */
  signature: string;
}

/** The method name paySig covers for an item order (道具直购). */
export const ITEM_ORDER_METHOD = 'requestMidasPaymentGameItem';

/** paySig and signature for wx.requestMidasPaymentGameItem; signData must be the exact string the game passes on. */
export function itemOrderSignatures(o: { signData: string; appKey: string; sessionKey: string }): ItemOrderSignatures {
  return {
    paySig: hmacSha256Hex(o.appKey, `${ITEM_ORDER_METHOD}&${o.signData}`),
    signature: hmacSha256Hex(o.sessionKey, o.signData),
  };
}

/** pay_sig of a server API call: hex(hmac_sha256(appKey, uri + "&" + body)), uri the path without the query (/wxa/game/pay). */
export function coinPaySig(appKey: string, uri: string, body: string): string {
  return hmacSha256Hex(appKey, `${uri}&${body}`);
}

/** PayEventSig of a payment push: hex(hmac_sha256(appKey, event + "&" + payload)), payload MiniGame.Payload as received. */
export function payEventSignature(appKey: string, event: string, payload: string): string {
  return hmacSha256Hex(appKey, `${event}&${payload}`);
}

/** Whether `sig` is the PayEventSig of this event and payload under appKey: constant-time, lowercase hex only. */
export function verifyPayEventSignature(appKey: string, event: string, payload: string, sig: string): boolean {
  return lowercaseHexEquals(sig, payEventSignature(appKey, event, payload));
}
