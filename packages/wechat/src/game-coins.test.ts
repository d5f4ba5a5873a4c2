import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// The simulator is a test double of WeChat; packages/wechat does not depend on it at runtime.
import { startWeChatSimulator, type WeChatSimulator } from '../../wechat-sim/src/index.js';
import { CoinBalanceTooLowError, CoinBillExistsError, CoinSessionKeyInvalidError } from './coin-errors.js';
import { createCode2Session } from './code2session.js';
import {
  AccessTokenInvalidError,
  SessionKeyInvalidError,
  WeChatBusyError,
  WeChatError,
  WeChatErrcodeError,
  WeChatMisconfiguredError,
} from './errors.js';
import { createGameCoinsApi, type CoinCall } from './game-coins.js';
import { coinPaySig, hmacSha256Hex } from './pay-signatures.js';
import { createGetStableToken } from './stable-token.js';
import { createHttpTransport } from './transport.js';

const PAY = { offerId: '1450000001', appKey: 'live-app-key-0001', sandboxAppKey: 'sandbox-app-key-0001', zoneId: '1' };
const APP = { appid: 'wxgamecoins00001', secret: 'game-coins-secret-0123456789', pay: PAY };
const NOW = Date.parse('2026-03-01T10:00:00Z');
let simulator: WeChatSimulator;
const transport = createHttpTransport({ timeoutMs: 1_000 });
const coins = () => createGameCoinsApi({ apiBase: simulator.url, appid: APP.appid, now: () => NOW }, transport.send);

beforeAll(async () => {
  simulator = await startWeChatSimulator({ apps: [APP] });
});
afterAll(async () => {
  transport.close();
  await simulator.close();
});
beforeEach(() => simulator.clearFaults());

/** A logged-in player's coin call in the sandbox env. */
async function player(name: string, env: 0 | 1 = 1): Promise<CoinCall> {
  const session = await createCode2Session({ apiBase: simulator.url, ...APP }, transport.send)(simulator.issueCode(APP.appid, name));
  const { accessToken } = await createGetStableToken({ apiBase: simulator.url, ...APP }, transport.send)();
  const appKey = env === 0 ? PAY.appKey : PAY.sandboxAppKey;
  return {
    accessToken,
    appKey,
    openid: session.openid,
    sessionKey: session.sessionKey,
    offerId: PAY.offerId,
    zoneId: PAY.zoneId,
    env,
    userIp: '203.0.113.7',
  };
}

async function failure(promise: Promise<unknown>): Promise<WeChatError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WeChatError);
  return error as WeChatError;
}

describe('the game-coin API (/wxa/game/*)', () => {
  it('signs the exact body: signature with the session key, pay_sig with the env’s AppKey over uri & body', async () => {
    const who = await player('ann');
    simulator.setCoinBalance(APP.appid, 'ann', 1, 30);
    expect(await coins().getBalance(who)).toEqual({
      balance: 30,
      presentBalance: 0,
      sumSave: 30,
      sumPresent: 0,
      sumBalance: 30,
      sumCost: 0,
      firstSave: false,
    });
    const request = simulator.requestLog.at(-1)!;
    expect(request).toMatchObject({ endpoint: 'game_getbalance', method: 'POST' });
    expect(request.body).toBe(
      JSON.stringify({ openid: who.openid, offer_id: PAY.offerId, ts: NOW / 1000, zone_id: '1', env: 1, user_ip: '203.0.113.7' }),
    );
    expect(request.query).toEqual({
      access_token: who.accessToken,
      signature: hmacSha256Hex(who.sessionKey, request.body),
      sig_method: 'hmac_sha256',
      pay_sig: coinPaySig(PAY.sandboxAppKey, '/wxa/game/getbalance', request.body),
    });
  });

  it('pays, keeps balances per env, and answers the same bill_no again with CoinBillExistsError (90012), charging once', async () => {
    const who = await player('bob');
    simulator.setCoinBalance(APP.appid, 'bob', 1, 50);
    simulator.setCoinBalance(APP.appid, 'bob', 0, 7);
    expect(await coins().pay({ ...who, amount: 20, billNo: 'spend-1', remark: 'sword' })).toEqual({
      billNo: 'spend-1',
      balance: 30,
      usedPresentAmount: 0,
    });
    const again = await failure(coins().pay({ ...who, amount: 20, billNo: 'spend-1' }));
    expect(again).toBeInstanceOf(CoinBillExistsError);
    expect(again).toMatchObject({ errcode: 90012, retryable: false });
    expect(simulator.coinBalance(APP.appid, 'bob', 1)).toBe(30);
    expect(simulator.coinBalance(APP.appid, 'bob', 0)).toBe(7);
  });

  it('refuses a pay above the balance with CoinBalanceTooLowError (90013), deducting nothing', async () => {
    const who = await player('cat');
    simulator.setCoinBalance(APP.appid, 'cat', 1, 5);
    const error = await failure(coins().pay({ ...who, amount: 6, billNo: 'too-much' }));
    expect(error).toBeInstanceOf(CoinBalanceTooLowError);
    expect(error.errcode).toBe(90013);
    expect(simulator.coinBalance(APP.appid, 'cat', 1)).toBe(5);
  });

  it('retries after -1 with the same bill_no: WeChatBusyError twice, then the charge happens once', async () => {
    const who = await player('dan');
    simulator.setCoinBalance(APP.appid, 'dan', 1, 10);
    simulator.injectFault({ endpoint: 'game_pay', kind: 'errcode', errcode: -1 }, 2);
    for (let i = 0; i < 2; i++) expect(await failure(coins().pay({ ...who, amount: 4, billNo: 'busy-1' }))).toBeInstanceOf(WeChatBusyError);
    expect(await coins().pay({ ...who, amount: 4, billNo: 'busy-1' })).toMatchObject({ balance: 6 });
    expect(simulator.coinBalance(APP.appid, 'dan', 1)).toBe(6);
  });

  it('cancels part of a pay, presents coins, and spends presented coins first', async () => {
    const who = await player('eve');
    simulator.setCoinBalance(APP.appid, 'eve', 1, 10);
    await coins().pay({ ...who, amount: 8, billNo: 'pay-8' });
    expect(await coins().cancelPay({ ...who, payBillNo: 'pay-8', billNo: 'refund-3', amount: 3 })).toEqual({ billNo: 'refund-3' });
    expect(simulator.coinBalance(APP.appid, 'eve', 1)).toBe(5);
    const unknown = await failure(coins().cancelPay({ ...who, payBillNo: 'never-paid', billNo: 'refund-x', amount: 1 }));
    expect(unknown).toMatchObject({ name: 'CoinOrderNotFoundError', errcode: 90000 });
    expect(await coins().present({ ...who, amount: 4, billNo: 'gift-4' })).toEqual({ billNo: 'gift-4', balance: 9 });
    expect(await coins().pay({ ...who, amount: 6, billNo: 'pay-6' })).toEqual({ billNo: 'pay-6', balance: 3, usedPresentAmount: 4 });
    expect(await coins().getBalance(who)).toMatchObject({ balance: 3, presentBalance: 0, sumPresent: 4, sumCost: 11 });
  });

  it('makes a stale session key CoinSessionKeyInvalidError (90010), a SessionKeyInvalidError', async () => {
    const who = await player('fay');
    simulator.rotateSessionKey(APP.appid, 'fay');
    const error = await failure(coins().getBalance(who));
    expect(error).toBeInstanceOf(CoinSessionKeyInvalidError);
    expect(error).toBeInstanceOf(SessionKeyInvalidError);
    expect(error).toMatchObject({ errcode: 90010, retryable: true, name: 'CoinSessionKeyInvalidError' });
    expect((error as CoinSessionKeyInvalidError).entry.errcode).toBe(90010);
  });

  it('makes a wrong AppKey (90011) and a wrong offer or zone (90018) misconfiguration', async () => {
    const who = await player('gus');
    const badKey = await failure(coins().getBalance({ ...who, appKey: PAY.appKey }));
    expect(badKey).toBeInstanceOf(WeChatMisconfiguredError);
    expect(badKey).toMatchObject({ errcode: 90011, name: 'CoinPaySigInvalidError' });
    expect(await failure(coins().getBalance({ ...who, zoneId: '2' }))).toMatchObject({ errcode: 90018, name: 'CoinParamInvalidError' });
    expect(await failure(coins().getBalance({ ...who, offerId: '999' }))).toBeInstanceOf(WeChatMisconfiguredError);
  });

  it('passes access token failures on and keeps the AppKey, session key and token out of messages', async () => {
    const who = await player('hal');
    simulator.revokeAccessTokens(APP.appid);
    expect(await failure(coins().getBalance(who))).toBeInstanceOf(AccessTokenInvalidError);
    const fresh = await player('hal');
    simulator.injectFault({
      endpoint: 'game_present',
      kind: 'errcode',
      errcode: -1,
      errmsg: `busy ${fresh.accessToken} ${fresh.sessionKey} ${fresh.appKey}`,
    });
    const busy = await failure(coins().present({ ...fresh, amount: 1, billNo: 'gift-1' }));
    for (const secret of [fresh.accessToken, fresh.sessionKey, fresh.appKey]) expect(`${busy.message}${busy.stack}`).not.toContain(secret);
  });

  it('maps each coin errcode to its error', async () => {
    const who = await player('ivy');
    const cases: Array<[number, string, boolean]> = [
      [90010, 'CoinSessionKeyInvalidError', false],
      [90016, 'CoinSessionKeyInvalidError', false],
      [90011, 'CoinPaySigInvalidError', true],
      [90012, 'CoinBillExistsError', false],
      [90013, 'CoinBalanceTooLowError', false],
      [90000, 'CoinOrderNotFoundError', false],
      [90017, 'CoinPermissionDeniedError', true],
      [90018, 'CoinParamInvalidError', true],
    ];
    for (const [errcode, name, misconfigured] of cases) {
      simulator.injectFault({ endpoint: 'game_getbalance', kind: 'errcode', errcode });
      const error = await failure(coins().getBalance(who));
      expect(error).toBeInstanceOf(WeChatErrcodeError);
      expect(error).toMatchObject({ errcode, name });
      expect(error instanceof WeChatMisconfiguredError).toBe(misconfigured);
    }
  });

  it('queries an item order (biz_id 2) and refuses a bill_no WeChat would not take before sending it', async () => {
    const who = await player('jon');
    expect(await failure(coins().queryOrderInfo({ ...who, outTradeNo: 'no-such-order' }))).toMatchObject({ errcode: 90000 });
    expect(JSON.parse(simulator.requestLog.at(-1)!.body)).toMatchObject({ out_trade_no: 'no-such-order', biz_id: 2 });
    const calls = simulator.callCount('game_pay');
    await expect(coins().pay({ ...who, amount: 1, billNo: '_starts-with-underscore' })).rejects.toThrow(RangeError);
    await expect(coins().pay({ ...who, amount: 0, billNo: 'zero' })).rejects.toThrow(RangeError);
    expect(simulator.callCount('game_pay')).toBe(calls);
  });
});
