import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { coinPaySig, hmacSha256Hex, itemOrderSignatures, lowercaseHexEquals, payEventSignature, verifyPayEventSignature } from './pay-signatures.js';

/** One character changed, keeping it lowercase hex. */
const offByOne = (hex: string, at = hex.length - 1) => hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1);

describe('virtual payment signatures', () => {
  // WeChat's example of its virtual payment signatures (the body with its spaces, exactly as signed).
  const body = '{"openid": "xxx", "user_ip": "127.0.0.1", "env": 0}';

  it('matches WeChat’s example: pay_sig with AppKey "12345", signature with its session key', () => {
    expect(coinPaySig('12345', '/xpay/query_user_balance', body)).toBe('c37809f27c6d7fd1837ad2500a04512b66b34fd793a39a385fade56dca89a4b5');
    expect(hmacSha256Hex('9hAb/NEYUlkaMBEsmFgzig==', body)).toBe('089d9e8dc5d308977360c4b79ec600a93d736802802a807d634192328032f6c7');
  });

  it('signs an item order: paySig over "requestMidasPaymentGameItem&" + signData, signature over signData alone', () => {
    const signData = JSON.stringify({
      mode: 'goods',
      offerId: '123',
      buyQuantity: 1,
      env: 0,
      currencyType: 'CNY',
      productId: 'gem60',
      goodsPrice: 600,
      outTradeNo: 'o1',
      attach: '道具',
    });
    const { paySig, signature } = itemOrderSignatures({ signData, appKey: 'live-app-key', sessionKey: 'c2Vzc2lvbmtleTEyMzQ1Ng==' });
    expect(paySig).toBe(createHmac('sha256', 'live-app-key').update(`requestMidasPaymentGameItem&${signData}`).digest('hex'));
    expect(signature).toBe(createHmac('sha256', 'c2Vzc2lvbmtleTEyMzQ1Ng==').update(signData).digest('hex'));
    expect(paySig).toMatch(/^[0-9a-f]{64}$/);
    // One more space in signData is another signature: the exact string is what counts.
    expect(itemOrderSignatures({ signData: `${signData} `, appKey: 'live-app-key', sessionKey: 'k' }).paySig).not.toBe(paySig);
  });

  it('makes PayEventSig over event + "&" + payload', () => {
    const payload = '{"OpenId":"o1","Env":0,"OutTradeNo":"o1"}';
    const sig = payEventSignature('app-key', 'minigame_game_pay_goods_deliver_notify', payload);
    expect(sig).toBe(createHmac('sha256', 'app-key').update(`minigame_game_pay_goods_deliver_notify&${payload}`).digest('hex'));
  });

  it('verifies PayEventSig, refusing one character off, uppercase hex, another key, event or payload', () => {
    const event = 'minigame_game_pay_goods_deliver_notify';
    const payload = '{"OpenId":"o1","Env":1}';
    const sig = payEventSignature('sandbox-key', event, payload);
    expect(verifyPayEventSignature('sandbox-key', event, payload, sig)).toBe(true);
    expect(verifyPayEventSignature('sandbox-key', event, payload, offByOne(sig))).toBe(false);
    expect(verifyPayEventSignature('sandbox-key', event, payload, offByOne(sig, 0))).toBe(false);
    expect(/[a-f]/.test(sig)).toBe(true);
    expect(verifyPayEventSignature('sandbox-key', event, payload, sig.toUpperCase())).toBe(false);
    expect(verifyPayEventSignature('live-key', event, payload, sig)).toBe(false);
    expect(verifyPayEventSignature('sandbox-key', 'minigame_coin_deliver_completed', payload, sig)).toBe(false);
    expect(verifyPayEventSignature('sandbox-key', event, `${payload} `, sig)).toBe(false);
    expect(verifyPayEventSignature('sandbox-key', event, payload, `${sig}0`)).toBe(false);
    expect(verifyPayEventSignature('sandbox-key', event, payload, '')).toBe(false);
  });

  it('compares only lowercase hex strings of the expected length', () => {
    const hex = hmacSha256Hex('k', 'd');
    expect(lowercaseHexEquals(hex, hex)).toBe(true);
    expect(lowercaseHexEquals(undefined, hex)).toBe(false);
    expect(lowercaseHexEquals(42, hex)).toBe(false);
    expect(lowercaseHexEquals(hex.slice(1), hex)).toBe(false);
  });
});
