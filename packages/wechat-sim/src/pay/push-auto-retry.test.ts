import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemOrderSignatures } from '../../../wechat/src/index.js';
import { startWeChatSimulator, type WeChatSimulator } from '../wechat-simulator.js';
import { FAILURE, startReceiver, SUCCESS } from './push-receiver.test-support.js';

// pushAutoRetry (for pnpm dev): resends on real timers, on the schedule times pushScheduleScale.
const PAY = { offerId: '1450000004', appKey: 'live-key-auto', sandboxAppKey: 'sandbox-key-auto', zoneId: '1', pushToken: 't' };
const GAME = { appid: 'wxpushautoretry1', secret: 'auto-secret-1' };
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let simulator: WeChatSimulator;

beforeAll(async () => {
  receiver = await startReceiver(() => FAILURE);
  // 15 s × 0.002 = 30 ms, then 30 ms, 60 ms, 360 ms, ...
  simulator = await startWeChatSimulator({
    apps: [{ ...GAME, pay: { ...PAY, pushUrl: receiver.url } }],
    pushScheduleScale: 0.002,
    pushAutoRetry: true,
  });
});
afterAll(async () => {
  await simulator.close();
  await receiver.close();
});

describe('pushes resent on real timers', () => {
  it('resends by itself until answered ErrCode 0, then stops', async () => {
    const code = simulator.issueCode(GAME.appid, 'ann');
    const session = (await (
      await fetch(`${simulator.url}/sns/jscode2session?appid=${GAME.appid}&secret=${GAME.secret}&js_code=${code}&grant_type=authorization_code`)
    ).json()) as { session_key: string };
    const signData = JSON.stringify({
      mode: 'goods',
      offerId: PAY.offerId,
      buyQuantity: 1,
      env: 0,
      currencyType: 'CNY',
      productId: 'p',
      goodsPrice: 1,
      outTradeNo: 'auto-1',
    });
    await simulator.payItemOrder(GAME.appid, 'ann', {
      signData,
      ...itemOrderSignatures({ signData, appKey: PAY.appKey, sessionKey: session.session_key }),
    });
    expect(simulator.pushes.pending()).toHaveLength(1);
    await expect.poll(() => simulator.pushes.log.length, { timeout: 2000, interval: 5 }).toBeGreaterThanOrEqual(3);
    receiver.answerWith(() => SUCCESS);
    await expect.poll(() => simulator.pushes.pending().length, { timeout: 3000, interval: 5 }).toBe(0);
    const sends = simulator.pushes.log.length;
    expect(simulator.pushes.log.at(-1)).toMatchObject({ accepted: true, attempt: sends });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(simulator.pushes.log.length).toBe(sends);
  });
});
