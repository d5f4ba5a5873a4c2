import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// @minigate/wechat's own verification checks what the simulator sends (the simulator has its own crypto).
import { itemOrderSignatures, openPushMessage, verifyPayEventSignature, verifyPushSignature } from '../../../wechat/src/index.js';
import { startWeChatSimulator, type WeChatSimulator } from '../wechat-simulator.js';
import { FAILURE, startReceiver, SUCCESS } from './push-receiver.test-support.js';
import { PUSH_RESEND_DELAYS_MS } from './push-sender.js';

const PAY = { offerId: '1450000002', appKey: 'live-key-items', sandboxAppKey: 'sandbox-key-items', zoneId: '1', pushToken: 'push-token-1' };
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const EVENT = 'minigame_game_pay_goods_deliver_notify';
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let simulator: WeChatSimulator;
const GAME = { appid: 'wxitemorders0001', secret: 'items-secret-1' };
const SAFE = { appid: 'wxitemorders0002', secret: 'items-secret-2' };

beforeAll(async () => {
  receiver = await startReceiver(() => SUCCESS);
  simulator = await startWeChatSimulator({
    apps: [
      { ...GAME, pay: { ...PAY, pushUrl: receiver.url } },
      { ...SAFE, pay: { ...PAY, pushUrl: receiver.url, pushAesKey: AES_KEY } },
    ],
    pushScheduleScale: 0.01,
  });
});
afterAll(async () => {
  await simulator.close();
  await receiver.close();
});
beforeEach(() => receiver.answerWith(() => SUCCESS));

let orders = 0;
/** A logged-in player's order, signed as the server would sign it. */
async function order(player: string, fields: Record<string, unknown> = {}, appid = GAME.appid) {
  await fetch(`${simulator.url}/sim/login?appid=${appid}&player=${player}`);
  const code = simulator.issueCode(appid, player);
  const secret = appid === GAME.appid ? GAME.secret : SAFE.secret;
  const session = (await (
    await fetch(`${simulator.url}/sns/jscode2session?appid=${appid}&secret=${secret}&js_code=${code}&grant_type=authorization_code`)
  ).json()) as {
    session_key: string;
  };
  orders += 1;
  const signData = JSON.stringify({
    mode: 'goods',
    offerId: PAY.offerId,
    buyQuantity: 2,
    env: 1,
    currencyType: 'CNY',
    platform: 'android',
    zoneId: '1',
    productId: 'gem60',
    goodsPrice: 600,
    outTradeNo: `out-${orders}`,
    attach: 'a1',
    ...fields,
  });
  const env = JSON.parse(signData).env === 0 ? 0 : 1;
  return {
    signData,
    sessionKey: session.session_key,
    ...itemOrderSignatures({ signData, appKey: env ? PAY.sandboxAppKey : PAY.appKey, sessionKey: session.session_key }),
  };
}

describe('item orders and their delivery pushes', () => {
  it('pays a signed order and pushes the delivery as JSON, signed, until answered ErrCode 0', async () => {
    const { signData, paySig, signature } = await order('ann');
    const before = receiver.received.length;
    const result = await simulator.payItemOrder(GAME.appid, 'ann', { signData, paySig, signature });
    expect(result).toEqual({ ok: true, outTradeNo: JSON.parse(signData).outTradeNo, env: 1, errMsg: 'requestMidasPaymentGameItem:ok' });
    const push = receiver.received[before]!;
    expect(push.method).toBe('POST');
    expect(verifyPushSignature(PAY.pushToken, { signature: push.query.signature, timestamp: push.query.timestamp!, nonce: push.query.nonce! })).toBe(
      true,
    );
    const message = JSON.parse(push.body);
    expect(message).toMatchObject({ MsgType: 'event', Event: EVENT, ToUserName: expect.stringMatching(/^gh_/), CreateTime: expect.any(Number) });
    expect(message.MiniGame.IsMock).toBe(false);
    expect(verifyPayEventSignature(PAY.sandboxAppKey, EVENT, message.MiniGame.Payload, message.MiniGame.PayEventSig)).toBe(true);
    expect(JSON.parse(message.MiniGame.Payload)).toMatchObject({
      OpenId: simulator.openidFor(GAME.appid, 'ann'),
      Env: 1,
      OutTradeNo: result.ok ? result.outTradeNo : '',
      GoodsInfo: { ProductId: 'gem60', Quantity: 2, ZoneId: '1', OrigPrice: 1200, ActualPrice: 1200, Attach: 'a1' },
    });
    expect(simulator.pushes.pending()).toEqual([]);
    expect(simulator.pushes.log.at(-1)).toMatchObject({ event: EVENT, attempt: 1, accepted: true, status: 200, mode: 'json' });
  });

  it('refuses what WeChat refuses, pushing nothing: a signature off by one, uppercase hex, the other env’s key, a repeat', async () => {
    const good = await order('bob');
    const before = receiver.received.length;
    const offByOne = good.signature.slice(0, -1) + (good.signature.endsWith('0') ? '1' : '0');
    const refused = { ok: false, errCode: -15012, errMsg: 'requestMidasPaymentGameItem:fail SIGNATURE INVALID' };
    expect(await simulator.payItemOrder(GAME.appid, 'bob', { ...good, signature: offByOne })).toEqual(refused);
    expect(await simulator.payItemOrder(GAME.appid, 'bob', { ...good, paySig: good.paySig.toUpperCase() })).toEqual(refused);
    const liveKeyed = itemOrderSignatures({ signData: good.signData, appKey: PAY.appKey, sessionKey: good.sessionKey });
    expect(await simulator.payItemOrder(GAME.appid, 'bob', { ...good, paySig: liveKeyed.paySig })).toEqual(refused);
    simulator.rotateSessionKey(GAME.appid, 'bob');
    expect(await simulator.payItemOrder(GAME.appid, 'bob', good)).toEqual(refused);
    expect(receiver.received.length).toBe(before);
    const fresh = await order('bob');
    expect(await simulator.payItemOrder(GAME.appid, 'bob', fresh)).toMatchObject({ ok: true });
    expect(await simulator.payItemOrder(GAME.appid, 'bob', fresh)).toMatchObject({ ok: false, errCode: -15007 });
    expect((await simulator.payItemOrder(GAME.appid, 'bob', await order('bob', { currencyType: 'USD' }))).ok).toBe(false);
    expect(await simulator.payItemOrder(GAME.appid, 'bob', await order('bob', { productId: undefined }))).toMatchObject({ errCode: -15001 });
    expect(await simulator.payItemOrder(GAME.appid, 'bob', await order('bob', { offerId: '1' }))).toMatchObject({ errCode: -15002 });
  });

  it('resends on WeChat’s schedule, scaled, while the answer is not ErrCode 0, and gives up after the last', async () => {
    receiver.answerWith(() => FAILURE);
    const paid = await simulator.payItemOrder(GAME.appid, 'cal', await order('cal'));
    const id = simulator.pushes.log.at(-1)!.id;
    const [pending] = simulator.pushes.pending();
    expect(pending).toMatchObject({ id, attempts: 1, event: EVENT, outTradeNo: paid.ok ? paid.outTradeNo : '' });
    expect(pending!.dueAt - simulator.pushes.now()).toBe(15_000 * 0.01);
    expect(await simulator.pushes.advance(149)).toEqual([]);
    const [second] = await simulator.pushes.advance(1);
    expect(second).toMatchObject({ id, attempt: 2, accepted: false });
    await simulator.pushes.advance(24 * 3600_000);
    const sends = simulator.pushes.log.filter((record) => record.id === id);
    expect(sends.map((record) => record.attempt)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const gaps = sends.slice(1).map((record, i) => record.at - sends[i]!.at);
    // WeChat's 通知周期: 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h, here a hundredth of it.
    const schedule = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10_800, 10_800, 10_800, 21_600, 21_600];
    expect(PUSH_RESEND_DELAYS_MS).toEqual(schedule.map((seconds) => seconds * 1000));
    expect(gaps).toEqual(schedule.map((seconds) => seconds * 10));
    expect(simulator.pushes.pending()).toEqual([]);
  });

  it('stops resending once answered ErrCode 0, and counts HTTP errors and garbage as no answer', async () => {
    receiver.answerWith(() => ({ status: 500, body: '{"ErrCode":0}' }));
    await simulator.payItemOrder(GAME.appid, 'dan', await order('dan'));
    receiver.answerWith(() => ({ status: 200, body: 'success' }));
    expect(await simulator.pushes.advance(150)).toMatchObject([{ attempt: 2, accepted: false }]);
    receiver.answerWith(() => SUCCESS);
    expect(await simulator.pushes.advance(150)).toMatchObject([{ attempt: 3, accepted: true }]);
    expect(simulator.pushes.pending()).toEqual([]);
    expect(await simulator.pushes.advance(24 * 3600_000)).toEqual([]);
  });

  it('pushes in the safe mode: { ToUserName, Encrypt } with msg_signature, decrypting to the same message', async () => {
    const before = receiver.received.length;
    await simulator.payItemOrder(SAFE.appid, 'eve', await order('eve', {}, SAFE.appid));
    const push = receiver.received[before]!;
    expect(push.query).toMatchObject({ encrypt_type: 'aes', msg_signature: expect.stringMatching(/^[0-9a-f]{40}$/) });
    const body = JSON.parse(push.body);
    expect(Object.keys(body).sort()).toEqual(['Encrypt', 'ToUserName']);
    const message = openPushMessage(
      { token: PAY.pushToken, aesKey: AES_KEY, appid: SAFE.appid },
      { msgSignature: push.query.msg_signature, timestamp: push.query.timestamp!, nonce: push.query.nonce! },
      body.Encrypt,
    );
    expect(message).toBe(simulator.pushes.log.at(-1)!.message);
    expect(JSON.parse(message)).toMatchObject({ Event: EVENT, MiniGame: { PayEventSig: expect.any(String) } });
    expect(simulator.pushes.log.at(-1)).toMatchObject({ mode: 'aes', accepted: true });
  });

  it('pays through /sim/pay over HTTP, as the sandbox’s wx does, and pushes right after', async () => {
    const signed = await order('fay');
    const response = await fetch(`${simulator.url}/sim/pay`, {
      method: 'POST',
      body: JSON.stringify({ appid: GAME.appid, player: 'fay', signData: signed.signData, paySig: signed.paySig, signature: signed.signature }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, env: 1 });
    await simulator.pushes.settle();
    expect(simulator.pushes.log.at(-1)).toMatchObject({ outTradeNo: JSON.parse(signed.signData).outTradeNo, accepted: true });
    const refused = await fetch(`${simulator.url}/sim/pay`, {
      method: 'POST',
      body: JSON.stringify({ appid: GAME.appid, player: 'fay', ...signed, paySig: 'x' }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ errCode: -15012 });
  });

  it('sends hand-made pushes: a PayEventSig one digit off, a mock', async () => {
    const payload = { OpenId: 'o1', Env: 0, OutTradeNo: 'hand-1', GoodsInfo: { ProductId: 'gem60', Quantity: 1 } };
    const bad = await simulator.sendPush(GAME.appid, EVENT, payload, { sign: 'bad' });
    const badMessage = JSON.parse(bad.message);
    expect(verifyPayEventSignature(PAY.appKey, EVENT, badMessage.MiniGame.Payload, badMessage.MiniGame.PayEventSig)).toBe(false);
    const mock = await simulator.sendPush(GAME.appid, EVENT, payload, { mock: true });
    const mockMessage = JSON.parse(mock.message);
    expect(mockMessage.MiniGame).toMatchObject({ IsMock: true, Payload: JSON.stringify(payload) });
    expect(verifyPayEventSignature(PAY.appKey, EVENT, mockMessage.MiniGame.Payload, mockMessage.MiniGame.PayEventSig)).toBe(true);
    expect(mock).toMatchObject({ attempt: 1, accepted: true });
    expect(simulator.pushes.pending()).toEqual([]);
  });

  it('makes the GET handshake, ok only when echostr comes back whole', async () => {
    receiver.answerWith((request) =>
      verifyPushSignature(PAY.pushToken, { signature: request.query.signature, timestamp: request.query.timestamp!, nonce: request.query.nonce! })
        ? { status: 200, body: request.query.echostr! }
        : { status: 403, body: 'no' },
    );
    const check = await simulator.verifyPushUrl(GAME.appid);
    expect(check).toMatchObject({ ok: true, status: 200 });
    expect(check.body).toBe(check.echostr);
    expect(receiver.received.at(-1)!.method).toBe('GET');
    receiver.answerWith(() => ({ status: 200, body: 'wrong' }));
    expect(await simulator.verifyPushUrl(GAME.appid)).toMatchObject({ ok: false, body: 'wrong' });
  });
});
