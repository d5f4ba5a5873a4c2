import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMinigameSandbox, type MinigameSandbox } from './minigame-sandbox.js';
import { startWeChatSimulator, type WeChatSimulator } from './wechat-simulator.js';

// wx.requestMidasPaymentGameItem in the sandbox: paid through the simulator's
// /sim/pay (which checks the signatures and pushes the delivery to the game's
// push URL, here a server that records what it gets), cancelled or failed as
// setPaymentBehaviour says.

const PAY = { offerId: '1450000001', appKey: 'live-app-key-0001', sandboxAppKey: 'sandbox-app-key-0001', zoneId: '1', pushToken: 'push-token' };
const APP = { appid: 'wxsandboxpay0001', secret: 'sandbox-pay-secret' };
const pushes: Array<Record<string, any>> = [];
let receiver: Server;
let simulator: WeChatSimulator;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      pushes.push(JSON.parse(body) as Record<string, any>);
      res.setHeader('content-type', 'application/json');
      res.end('{"ErrCode":0,"ErrMsg":"Success"}');
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  const pushUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/push/${APP.appid}`;
  simulator = await startWeChatSimulator({
    apps: [
      { ...APP, pay: { ...PAY, pushUrl } },
      { appid: 'ttsandboxpay0001', secret: 's', platform: 'douyin' },
    ],
  });
});
afterAll(async () => {
  await simulator.close();
  await new Promise((done) => receiver.close(done));
});

const hmac = (key: string, data: string) => createHmac('sha256', key).update(data).digest('hex');
let orders = 0;

/** A sandbox whose player logged in (so the simulator holds a session key), and an order signed as the server signs one. */
async function playerWithOrder(player: string) {
  const sandbox = createMinigameSandbox({ simulatorUrl: simulator.url, appid: APP.appid, player });
  const { code } = (await sandbox.run('wx.login()')) as { code: string };
  const query = new URLSearchParams({ appid: APP.appid, secret: APP.secret, js_code: code, grant_type: 'authorization_code' });
  await fetch(`${simulator.url}/sns/jscode2session?${query.toString()}`);
  const outTradeNo = `sandboxpay${++orders}${Date.now()}`;
  const signData = JSON.stringify({
    mode: 'goods',
    offerId: PAY.offerId,
    buyQuantity: 2,
    env: 1,
    currencyType: 'CNY',
    platform: 'android',
    zoneId: PAY.zoneId,
    productId: 'gem60',
    goodsPrice: 600,
    outTradeNo,
    attach: 'a',
  });
  const order = {
    signData,
    paySig: hmac(PAY.sandboxAppKey, `requestMidasPaymentGameItem&${signData}`),
    signature: hmac(simulator.sessionKeyFor(APP.appid, player)!, signData),
  };
  return { sandbox, order, outTradeNo };
}

/** Calls wx.requestMidasPaymentGameItem in the game, and resolves with what its success or fail callback got. */
function pay(sandbox: MinigameSandbox, order: Record<string, unknown>): Promise<{ via: string; result: Record<string, any> }> {
  return new Promise((resolve) => {
    sandbox.global.done = (via: string, result: unknown) => resolve({ via, result: JSON.parse(JSON.stringify(result)) as Record<string, any> });
    sandbox.global.order = order;
    sandbox.run(`wx.requestMidasPaymentGameItem({ ...order, success: (r) => done('success', r), fail: (r) => done('fail', r) })`);
  });
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((done) => setTimeout(done, 10));
};

describe('wx.requestMidasPaymentGameItem in the mini-game sandbox', () => {
  it('pays through /sim/pay and WeChat pushes the delivery to the game’s push URL', async () => {
    const { sandbox, order, outTradeNo } = await playerWithOrder('pay-ann');
    expect(await pay(sandbox, order)).toEqual({ via: 'success', result: { errMsg: 'requestMidasPaymentGameItem:ok' } });
    await until(() => pushes.some((push) => String(push.MiniGame?.Payload).includes(outTradeNo)));
    const push = pushes.find((candidate) => String(candidate.MiniGame?.Payload).includes(outTradeNo))!;
    expect(push.Event).toBe('minigame_game_pay_goods_deliver_notify');
    expect(JSON.parse(push.MiniGame.Payload as string)).toMatchObject({
      OpenId: simulator.openidFor(APP.appid, 'pay-ann'),
      Env: 1,
      OutTradeNo: outTradeNo,
      GoodsInfo: { ProductId: 'gem60', Quantity: 2 },
    });
    expect(sandbox.payments).toEqual([{ signData: order.signData, errCode: 0, errMsg: 'requestMidasPaymentGameItem:ok' }]);
  });

  it('fails with -15012 SIGNATURE INVALID when the signature is not made with the player’s session key', async () => {
    const { sandbox, order, outTradeNo } = await playerWithOrder('pay-bo');
    const forged = { ...order, signature: hmac('not-the-session-key', order.signData) };
    expect(await pay(sandbox, forged)).toEqual({
      via: 'fail',
      result: { errMsg: 'requestMidasPaymentGameItem:fail SIGNATURE INVALID', errCode: -15012 },
    });
    // Nothing was paid: the order, signed right, still pays.
    expect(await pay(sandbox, order)).toMatchObject({ via: 'success' });
    await until(() => pushes.some((push) => String(push.MiniGame?.Payload).includes(outTradeNo)));
    expect(sandbox.payments.map((payment) => payment.errCode)).toEqual([-15012, 0]);
  });

  it('fails with -15011 for a signData that is not a string, and -15001 without a paySig, as WeChat does', async () => {
    const { sandbox, order } = await playerWithOrder('pay-cy');
    const asObject = { ...order, signData: JSON.parse(order.signData) as unknown };
    expect(await pay(sandbox, asObject)).toEqual({
      via: 'fail',
      result: { errMsg: 'requestMidasPaymentGameItem:fail DATA TYPE ERROR', errCode: -15011 },
    });
    expect(await pay(sandbox, { ...order, paySig: '' })).toMatchObject({ via: 'fail', result: { errCode: -15001 } });
  });

  it('setPaymentBehaviour: cancel (errCode 1, or the one told) and fail (errCode -1, or the one told) pay nothing; answer pays again', async () => {
    const { sandbox, order, outTradeNo } = await playerWithOrder('pay-dee');
    sandbox.setPaymentBehaviour({ kind: 'cancel' });
    expect(await pay(sandbox, order)).toEqual({ via: 'fail', result: { errMsg: 'requestMidasPaymentGameItem:fail cancel', errCode: 1 } });
    sandbox.setPaymentBehaviour({ kind: 'cancel', errCode: -2 });
    expect(await pay(sandbox, order)).toMatchObject({ via: 'fail', result: { errCode: -2 } });
    sandbox.setPaymentBehaviour({ kind: 'fail' });
    expect(await pay(sandbox, order)).toEqual({ via: 'fail', result: { errMsg: 'requestMidasPaymentGameItem:fail system error', errCode: -1 } });
    sandbox.setPaymentBehaviour({ kind: 'fail', errCode: -15009, errMsg: '健康系统限制' });
    expect(await pay(sandbox, order)).toEqual({ via: 'fail', result: { errMsg: 'requestMidasPaymentGameItem:fail 健康系统限制', errCode: -15009 } });
    expect(pushes.some((push) => String(push.MiniGame?.Payload).includes(outTradeNo))).toBe(false);
    sandbox.setPaymentBehaviour({ kind: 'answer' });
    expect(await pay(sandbox, order)).toMatchObject({ via: 'success' });
    // Paid once now: the same order again is refused as paid already.
    expect(await pay(sandbox, order)).toMatchObject({ via: 'fail', result: { errCode: -15007 } });
  });

  it('is WeChat’s only: tt has none', () => {
    const douyin = createMinigameSandbox({ simulatorUrl: simulator.url, appid: 'ttsandboxpay0001', player: 'pay-eve', runtime: 'tt' });
    expect(douyin.run('typeof tt.requestMidasPaymentGameItem')).toBe('undefined');
    const wechat = createMinigameSandbox({ simulatorUrl: simulator.url, appid: APP.appid, player: 'pay-eve' });
    expect(wechat.run('typeof wx.requestMidasPaymentGameItem')).toBe('function');
  });
});
