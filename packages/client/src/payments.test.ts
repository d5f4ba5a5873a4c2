import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient, type ClientOptions } from './create-client.js';
import type { MidasPaymentFailure, MinigameRuntime, WxRequestOptions } from './minigame-wx.js';
import { MinigatePaymentError, paymentErrorOf } from './payment-error.js';

// payments.buyItem against a fake runtime: its request answers the tRPC calls
// from handlers (as the server would: a batch of { result } / { error }), its
// requestMidasPaymentGameItem answers as the test says. Timers are fake, so the
// delivery wait's schedule is exact.

type Handler = (input: any) => unknown;
type PayAnswer = 'ok' | MidasPaymentFailure;

/** A refusal as the server answers it: error.data.reason. */
const refusal = (reason: string, message = reason) => Object.assign(new Error(message), { reason });

const ORDER = { outTradeNo: 'T1', signData: '{"mode":"goods","outTradeNo":"T1"}', paySig: 'p'.repeat(64), signature: 's'.repeat(64) };
const orderView = (status: string) => ({ outTradeNo: 'T1', productId: 'gem60', quantity: 1, price: 600, status, createdAt: 1, deliveredAt: null });

function fakeRuntime(handlers: Record<string, Handler>, payAnswers: PayAnswer[] = ['ok'], name: 'wx' | 'tt' = 'wx') {
  const calls: Array<{ path: string; input: unknown; at: number }> = [];
  const paid: unknown[] = [];
  let codes = 0;
  const storage = new Map<string, unknown>();
  const answer = async (path: string, input: unknown) => {
    calls.push({ path, input, at: Date.now() });
    try {
      return { result: { data: await handlers[path]!(input) } };
    } catch (error) {
      const reason = (error as { reason?: string }).reason ?? 'INTERNAL';
      return { error: { message: (error as Error).message, code: -32600, data: { code: 'BAD_REQUEST', httpStatus: 400, reason } } };
    }
  };
  const runtime: MinigameRuntime = {
    request(options: WxRequestOptions) {
      const [base, query] = options.url.split('?') as [string, string | undefined];
      const paths = decodeURIComponent(base.split('/').pop()!).split(',');
      const inputs = JSON.parse(
        options.method === 'POST' ? String(options.data ?? '{}') : (new URLSearchParams(query ?? '').get('input') ?? '{}'),
      ) as Record<string, unknown>;
      void Promise.all(paths.map((path, index) => answer(path, inputs[index]))).then((answers) =>
        options.success?.({ statusCode: 200, data: JSON.stringify(answers), header: { 'content-type': 'application/json' } }),
      );
      return { abort() {} };
    },
    login: (options) => void setTimeout(() => options.success?.({ code: `code-${++codes}` }), 0),
    getStorageSync: (key) => storage.get(key) ?? '',
    setStorageSync: (key, value) => void storage.set(key, value),
    removeStorageSync: (key) => void storage.delete(key),
    ...(name === 'tt'
      ? { getEnvInfoSync: () => ({ microapp: { appId: 'tt0123456789abcdef' } }) }
      : { getAccountInfoSync: () => ({ miniProgram: { appId: 'wx0123456789abcdef' } }) }),
  };
  if (name === 'wx') {
    runtime.requestMidasPaymentGameItem = (options) => {
      paid.push({ signData: options.signData, paySig: options.paySig, signature: options.signature });
      const outcome = payAnswers.shift() ?? 'ok';
      setTimeout(() => (outcome === 'ok' ? options.success?.({ errMsg: 'requestMidasPaymentGameItem:ok' }) : options.fail?.(outcome)), 0);
    };
  }
  const pathsCalled = () => calls.map((call) => call.path);
  return { runtime, calls, paid, pathsCalled };
}

const login = () => ({ accessToken: 'a', refreshToken: 'r', expiresIn: 3600, expiresAt: 0, account: { id: 1 } });

/** Handlers where the order is delivered at the `deliveredOnLook`-th look (never when 0). */
function server(deliveredOnLook: number, extra: Record<string, Handler> = {}) {
  let looks = 0;
  return {
    'auth.login': login,
    'payments.createItemOrder': () => ORDER,
    'payments.order': () => orderView(++looks === deliveredOnLook ? 'delivered' : 'created'),
    ...extra,
  };
}

/** buyItem's outcome, its promise driven by the fake clock until it settles. */
async function buy(runtime: MinigameRuntime, options: Partial<ClientOptions> = {}) {
  const client = createClient({ url: 'https://api.example.com/trpc', runtime, ...options });
  const started = Date.now();
  const outcome = client.payments.buyItem({ productId: 'gem60', quantity: 1 }).then(
    (order) => ({ order, error: null }),
    (error: unknown) => ({ order: null, error: paymentErrorOf(error) ?? (error as Error) }),
  );
  await vi.runAllTimersAsync();
  return { ...(await outcome), started };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('payments.buyItem', () => {
  it('orders, pays with what the server signed, and resolves with the order once it is delivered', async () => {
    const fake = fakeRuntime(server(3));
    const { order, error, started } = await buy(fake.runtime);
    expect(error).toBeNull();
    expect(order).toEqual(orderView('delivered'));
    expect(fake.paid).toEqual([{ signData: ORDER.signData, paySig: ORDER.paySig, signature: ORDER.signature }]);
    expect(fake.pathsCalled()).toEqual(['auth.login', 'payments.createItemOrder', 'payments.order', 'payments.order', 'payments.order']);
    expect(fake.calls.find((call) => call.path === 'payments.createItemOrder')!.input).toEqual({ productId: 'gem60', quantity: 1 });
    expect(fake.calls.filter((call) => call.path === 'payments.order').map((call) => call.input)).toEqual(Array(3).fill({ outTradeNo: 'T1' }));
    // Looks at once, then 1 s and 2 s later.
    const looks = fake.calls.filter((call) => call.path === 'payments.order').map((call) => call.at - started);
    expect(looks).toEqual([0, 1000, 3000]);
  });

  it('waits 1 s doubling to 5 s between looks, 60 s in all, then rejects with DELIVERY_TIMEOUT; the order stays', async () => {
    const fake = fakeRuntime(server(0));
    const { error, started } = await buy(fake.runtime);
    expect(error).toBeInstanceOf(MinigatePaymentError);
    expect(error).toMatchObject({ kind: 'DELIVERY_TIMEOUT', outTradeNo: 'T1', errCode: null });
    expect((error as Error).message).toMatch(/payments\.order/);
    const looks = fake.calls.filter((call) => call.path === 'payments.order').map((call) => call.at - started);
    expect(looks).toEqual([0, 1000, 3000, 7000, 12000, 17000, 22000, 27000, 32000, 37000, 42000, 47000, 52000, 57000, 60000]);
  });

  it('takes its own schedule from createClient({ payments })', async () => {
    const fake = fakeRuntime(server(0));
    const { error, started } = await buy(fake.runtime, { payments: { pollMs: 100, maxPollMs: 300, deliveryTimeoutMs: 1000 } });
    expect(error).toMatchObject({ kind: 'DELIVERY_TIMEOUT' });
    const looks = fake.calls.filter((call) => call.path === 'payments.order').map((call) => call.at - started);
    expect(looks).toEqual([0, 100, 300, 600, 900, 1000]);
  });

  it('looks again after a failed look, and gives the last failure as the cause of a timeout', async () => {
    let looks = 0;
    const flaky = fakeRuntime(
      server(0, {
        'payments.order': () => {
          looks += 1;
          if (looks <= 2) throw refusal('SERVICE_UNAVAILABLE');
          return orderView('delivered');
        },
      }),
    );
    expect((await buy(flaky.runtime)).order).toEqual(orderView('delivered'));
    expect(looks).toBe(3);

    const failing = fakeRuntime(server(0, { 'payments.order': () => Promise.reject(refusal('SERVICE_UNAVAILABLE', 'busy')) }));
    const { error } = await buy(failing.runtime, { payments: { deliveryTimeoutMs: 2000 } });
    expect(error).toMatchObject({ kind: 'DELIVERY_TIMEOUT', outTradeNo: 'T1', cause: { message: 'busy', data: { reason: 'SERVICE_UNAVAILABLE' } } });
  });

  it.each([-2, 1, 7])('rejects with CANCELLED when the player cancels (errCode %i), and never waits for a delivery', async (errCode) => {
    const fake = fakeRuntime(server(1), [{ errMsg: 'requestMidasPaymentGameItem:fail cancel', errCode }]);
    const { error } = await buy(fake.runtime);
    expect(error).toMatchObject({ kind: 'CANCELLED', errCode, errMsg: 'requestMidasPaymentGameItem:fail cancel', outTradeNo: 'T1' });
    expect(fake.pathsCalled()).toEqual(['auth.login', 'payments.createItemOrder']);
  });

  it("rejects with PAYMENT_FAILED carrying wx's errCode and errMsg", async () => {
    const fake = fakeRuntime(server(1), [{ errMsg: 'requestMidasPaymentGameItem:fail 道具价格错误', errCode: -15016 }]);
    const { error } = await buy(fake.runtime);
    expect(error).toMatchObject({
      kind: 'PAYMENT_FAILED',
      errCode: -15016,
      errMsg: 'requestMidasPaymentGameItem:fail 道具价格错误',
      outTradeNo: 'T1',
    });
    expect((error as Error).message).toContain('-15016');
    expect(fake.pathsCalled()).not.toContain('payments.order');
  });

  it('rejects with ORDER_FAILED, the server refusal as its cause, when createItemOrder fails; nothing is paid', async () => {
    const fake = fakeRuntime(server(1, { 'payments.createItemOrder': () => Promise.reject(refusal('PRODUCT_UNKNOWN', 'no such product')) }));
    const { error } = await buy(fake.runtime);
    expect(error).toMatchObject({ kind: 'ORDER_FAILED', outTradeNo: null, cause: { data: { reason: 'PRODUCT_UNKNOWN' } } });
    expect(fake.paid).toEqual([]);
  });

  it('rejects with UNSUPPORTED before calling the server on Douyin, or on a WeChat without requestMidasPaymentGameItem', async () => {
    const onDouyin = fakeRuntime(server(1), ['ok'], 'tt');
    const { error } = await buy(onDouyin.runtime);
    expect(error).toMatchObject({ kind: 'UNSUPPORTED', outTradeNo: null });
    expect((error as Error).message).toMatch(/tt\.requestMidasPaymentGameItem.*WeChat only/);
    expect(onDouyin.calls).toEqual([]);

    const oldWeChat = fakeRuntime(server(1));
    delete oldWeChat.runtime.requestMidasPaymentGameItem;
    expect((await buy(oldWeChat.runtime)).error).toMatchObject({ kind: 'UNSUPPORTED' });
    expect(oldWeChat.calls).toEqual([]);
  });

  it('rejects with REFUNDED when the order is refunded before it is delivered', async () => {
    const fake = fakeRuntime(server(0, { 'payments.order': () => orderView('refunded') }));
    expect((await buy(fake.runtime)).error).toMatchObject({ kind: 'REFUNDED', outTradeNo: 'T1' });
  });

  it('logs in again and retries once when createItemOrder answers SESSION_KEY_STALE', async () => {
    let orders = 0;
    const fake = fakeRuntime(
      server(1, {
        'payments.createItemOrder': () => {
          orders += 1;
          if (orders === 1) throw refusal('SESSION_KEY_STALE');
          return ORDER;
        },
      }),
    );
    const { order } = await buy(fake.runtime);
    expect(order).toEqual(orderView('delivered'));
    expect(fake.pathsCalled()).toEqual(['auth.login', 'payments.createItemOrder', 'auth.login', 'payments.createItemOrder', 'payments.order']);
    expect(fake.calls.filter((call) => call.path === 'auth.login').map((call) => (call.input as { code: string }).code)).toEqual([
      'code-1',
      'code-2',
    ]);
  });

  it('fails with ORDER_FAILED when createItemOrder answers SESSION_KEY_STALE again after the new login', async () => {
    const fake = fakeRuntime(server(1, { 'payments.createItemOrder': () => Promise.reject(refusal('SESSION_KEY_STALE')) }));
    const { error } = await buy(fake.runtime);
    expect(error).toMatchObject({ kind: 'ORDER_FAILED', cause: { data: { reason: 'SESSION_KEY_STALE' } } });
    expect(fake.pathsCalled().filter((path) => path === 'payments.createItemOrder')).toHaveLength(2);
  });

  it.each([-15012, -15015])(
    'makes a new order after a new login when WeChat refuses the session-key signature (errCode %i), once',
    async (errCode) => {
      const refused = { errMsg: 'requestMidasPaymentGameItem:fail SIGNATURE INVALID', errCode };
      const once = fakeRuntime(server(1), [refused, 'ok']);
      expect((await buy(once.runtime)).order).toEqual(orderView('delivered'));
      expect(once.pathsCalled()).toEqual(['auth.login', 'payments.createItemOrder', 'auth.login', 'payments.createItemOrder', 'payments.order']);
      expect(once.paid).toHaveLength(2);

      const twice = fakeRuntime(server(1), [refused, refused, 'ok']);
      expect((await buy(twice.runtime)).error).toMatchObject({ kind: 'PAYMENT_FAILED', errCode });
      expect(twice.paid).toHaveLength(2);
    },
  );
});
