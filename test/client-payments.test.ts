import { resolve } from 'node:path';
import { createMinigameSandbox, type MinigameSandbox } from '@minigate/wechat-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_APPID } from './support/stack.js';
import { startPaymentsStack, type PaymentsStack } from './support/payments-stack.js';

// client.payments.buyItem of the built game file, in the mini-game sandbox
// (whose wx.requestMidasPaymentGameItem pays through the simulator's /sim/pay)
// against the real server of a WeChat game with pay settings and products:
// the simulator pushes each delivery to the server's /push/<appid>, and the
// client waits for the server to say the order is delivered.
const GAME_FILE = resolve(import.meta.dirname, '../packages/client/dist/minigate.js');

let stack: PaymentsStack;
beforeAll(async () => {
  stack = await startPaymentsStack();
});
afterAll(() => stack.close());

function sandboxFor(player: string, runtime: 'wx' | 'tt' = 'wx'): MinigameSandbox {
  return createMinigameSandbox({ simulatorUrl: stack.simulator.url, appid: TEST_APPID, player, runtime, files: { 'minigate.js': GAME_FILE } });
}

/** Runs the game's async body with `client` made (short delivery waits) and `attempt(work)` that turns a rejection into its fields. */
async function playGame(sandbox: MinigameSandbox, body: string, payments = '{ pollMs: 50, maxPollMs: 200, deliveryTimeoutMs: 5000 }'): Promise<any> {
  const value = await (sandbox.run(`(async () => {
    const { createClient, paymentErrorOf } = require('./minigate.js');
    const client = createClient({ url: '${stack.trpcUrl}', runtime: ${sandbox.runtime === sandbox.global.tt ? 'tt' : 'wx'}, appid: '${TEST_APPID}', payments: ${payments} });
    const attempt = (work) => work.then(
      (order) => ({ order }),
      (error) => {
        const payment = paymentErrorOf(error);
        if (!payment) throw error;
        const cause = payment.cause && { reason: payment.cause.data && payment.cause.data.reason, message: payment.cause.message };
        return { error: { kind: payment.kind, errCode: payment.errCode, errMsg: payment.errMsg, outTradeNo: payment.outTradeNo, message: payment.message, cause } };
      },
    );
    ${body}
  })()`) as Promise<unknown>);
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

const paths = (sandbox: MinigameSandbox) => sandbox.requests.map((request) => request.url.split('?')[0]!.split('/trpc/')[1]);

describe('payments.buyItem in the sandbox against the server', () => {
  it('orders, pays, and resolves once the server has the delivery: the wallet holds the product’s grants', async () => {
    const sandbox = sandboxFor('buy-ada');
    const result = await playGame(
      sandbox,
      `const bought = await attempt(client.payments.buyItem({ productId: 'gem60', quantity: 2 }));
       return { bought, wallet: await client.api.wallet.get.query() };`,
    );
    expect(result.bought.error).toBeUndefined();
    expect(result.bought.order).toMatchObject({ productId: 'gem60', quantity: 2, price: 1200, status: 'delivered', deliveredAt: expect.any(Number) });
    expect(result.wallet.currencies).toEqual({ gem: 120 });
    const { outTradeNo } = result.bought.order as { outTradeNo: string };
    expect(sandbox.payments).toEqual([
      { signData: expect.stringContaining(`"outTradeNo":"${outTradeNo}"`), errCode: 0, errMsg: 'requestMidasPaymentGameItem:ok' },
    ]);
    // Granted by WeChat's push to the server, which it accepted once.
    const pushes = stack.simulator.pushes.log.filter((push) => push.outTradeNo === outTradeNo);
    expect(pushes.map((push) => push.accepted)).toEqual([true]);
    expect(paths(sandbox).slice(0, 3)).toEqual(['auth.login', 'payments.createItemOrder', 'payments.order']);
  });

  it('rejects with CANCELLED (wx’s errCode) when the player cancels: the order stays created, nothing is granted', async () => {
    const sandbox = sandboxFor('buy-bo');
    sandbox.setPaymentBehaviour({ kind: 'cancel' });
    const result = await playGame(
      sandbox,
      `const bought = await attempt(client.payments.buyItem({ productId: 'sword', quantity: 1 }));
       const order = await client.api.payments.order.query({ outTradeNo: bought.error.outTradeNo });
       return { bought, order, wallet: await client.api.wallet.get.query() };`,
    );
    expect(result.bought.error).toMatchObject({ kind: 'CANCELLED', errCode: 1, errMsg: 'requestMidasPaymentGameItem:fail cancel' });
    expect(result.order).toMatchObject({ productId: 'sword', status: 'created', deliveredAt: null });
    expect(result.wallet).toEqual({ currencies: {}, items: {} });
    // No look at the order but the game's own: the client did not wait for a delivery.
    expect(paths(sandbox)).toEqual(['auth.login', 'payments.createItemOrder', 'payments.order', 'wallet.get']);
  });

  it("rejects with PAYMENT_FAILED carrying wx's errCode and errMsg when WeChat fails the payment", async () => {
    const sandbox = sandboxFor('buy-cal');
    sandbox.setPaymentBehaviour({ kind: 'fail', errCode: -15009, errMsg: '由于健康系统限制，本次支付已超过限额' });
    const result = await playGame(sandbox, `return attempt(client.payments.buyItem({ productId: 'gem60', quantity: 1 }));`);
    expect(result.error).toMatchObject({
      kind: 'PAYMENT_FAILED',
      errCode: -15009,
      errMsg: 'requestMidasPaymentGameItem:fail 由于健康系统限制，本次支付已超过限额',
      outTradeNo: expect.any(String),
    });
  });

  it('rejects with ORDER_FAILED, the server’s reason as its cause, for a product the game does not sell; nothing is paid', async () => {
    const sandbox = sandboxFor('buy-dee');
    const result = await playGame(sandbox, `return attempt(client.payments.buyItem({ productId: 'no-such-thing', quantity: 1 }));`);
    expect(result.error).toMatchObject({ kind: 'ORDER_FAILED', outTradeNo: null, cause: { reason: 'PRODUCT_UNKNOWN' } });
    expect(sandbox.payments).toEqual([]);
  });

  it('when WeChat refuses the signature (the session key changed at WeChat), logs in again and pays a new order', async () => {
    const sandbox = sandboxFor('buy-eve');
    await playGame(sandbox, `await client.login();`);
    stack.simulator.rotateSessionKey(TEST_APPID, 'buy-eve');
    const result = await playGame(sandbox, `return attempt(client.payments.buyItem({ productId: 'gem60', quantity: 1 }));`);
    expect(result.order).toMatchObject({ productId: 'gem60', status: 'delivered' });
    expect(sandbox.payments.map((payment) => payment.errCode)).toEqual([-15012, 0]);
    expect(paths(sandbox).filter((path) => path === 'auth.login')).toHaveLength(2);
  });

  it('rejects with DELIVERY_TIMEOUT when no delivery comes in time; the order stays, and is delivered by WeChat’s resend', async () => {
    const sandbox = sandboxFor('buy-fay');
    const pushUrl = stack.game.pay.pushUrl;
    // The push URL unreachable: WeChat's first push fails, the payment stands.
    stack.game.pay.pushUrl = 'http://127.0.0.1:9/push';
    let result: any;
    try {
      result = await playGame(
        sandbox,
        `return attempt(client.payments.buyItem({ productId: 'sword', quantity: 1 }));`,
        '{ pollMs: 100, maxPollMs: 200, deliveryTimeoutMs: 1500 }',
      );
    } finally {
      stack.game.pay.pushUrl = pushUrl;
    }
    expect(result.error).toMatchObject({ kind: 'DELIVERY_TIMEOUT', errCode: null, outTradeNo: expect.any(String) });
    expect(result.error.message).toMatch(/payments\.order/);
    const { outTradeNo } = result.error as { outTradeNo: string };
    expect(sandbox.payments.map((payment) => payment.errCode)).toEqual([0]);

    await stack.simulator.pushes.advance(15_000);
    const later = await playGame(
      sandbox,
      `return { order: await client.api.payments.order.query({ outTradeNo: '${outTradeNo}' }), wallet: await client.api.wallet.get.query() };`,
    );
    expect(later.order).toMatchObject({ outTradeNo, status: 'delivered' });
    expect(later.wallet.items).toEqual({ sword: 1 });
  });

  it('rejects with UNSUPPORTED on Douyin before calling the server', async () => {
    const sandbox = sandboxFor('buy-gus', 'tt');
    const result = await playGame(sandbox, `return attempt(client.payments.buyItem({ productId: 'gem60', quantity: 1 }));`);
    expect(result.error).toMatchObject({ kind: 'UNSUPPORTED', outTradeNo: null });
    expect(result.error.message).toMatch(/WeChat only/);
    expect(sandbox.requests).toEqual([]);
  });
});
