import type { AppRouter } from '@minigate/api';
import type { TRPCClient } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { MidasPaymentFailure, MinigameRuntime } from './minigame-wx.js';
import { MinigatePaymentError } from './payment-error.js';
import type { RuntimeName } from './runtime.js';

/** An order as `payments.order` answers it. */
export type Order = inferRouterOutputs<AppRouter>['payments']['order'];
/** What `payments.buyItem` takes: the product and how many. */
export type BuyItemInput = inferRouterInputs<AppRouter>['payments']['createItemOrder'];

/** How `payments.buyItem` waits for the delivery after WeChat took the payment. */
export interface DeliveryWaitOptions {
  /** Milliseconds before the second look at the order (the first is at once); doubles after each look. Default 1000. */
  pollMs?: number;
  /** The longest wait between two looks. Default 5000. */
  maxPollMs?: number;
  /** How long to wait for the delivery in all before DELIVERY_TIMEOUT. Default 60000. */
  deliveryTimeoutMs?: number;
}

export interface Payments {
  /**
   * Buys an item with WeChat's virtual payment (道具直购): payments.createItemOrder,
   * then wx.requestMidasPaymentGameItem (WeChat's payment sheet), then waits
   * until the server has received WeChat's delivery push (payments.order says
   * `delivered`), and resolves with the delivered order. Rejects with a
   * MinigatePaymentError whose `kind` says which step failed. WeChat only.
   */
  buyItem(input: BuyItemInput): Promise<Order>;
}

/** wx's errCodes for a payment the player cancelled: -2 支付取消, 1 用户取消支付, 7 支付取消. */
const CANCELLED = [-2, 1, 7];
/**
 * wx's errCodes for a user-state signature WeChat refused (-15012 SIGNATURE错误)
 * or a session_key it holds expired (-15015): the server signed with a
 * session_key WeChat no longer has. A new wx.login gives the server the current one.
 */
const SESSION_KEY_REFUSED = [-15012, -15015];

interface PaymentsDeps {
  api: TRPCClient<AppRouter>;
  runtime: MinigameRuntime;
  name: RuntimeName;
  /** A new wx.login → auth.login, for a signature WeChat refused. */
  relogin(): Promise<unknown>;
  wait: DeliveryWaitOptions | undefined;
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createPayments({ api, runtime, name, relogin, wait = {} }: PaymentsDeps): Payments {
  const firstPollMs = wait.pollMs ?? 1_000;
  const maxPollMs = wait.maxPollMs ?? 5_000;
  const deliveryTimeoutMs = wait.deliveryTimeoutMs ?? 60_000;

  /** wx.requestMidasPaymentGameItem (callbacks only: it has no promise form); null when WeChat took the payment. */
  const requestPayment = (order: { signData: string; paySig: string; signature: string }) =>
    new Promise<MidasPaymentFailure | null>((resolve) =>
      runtime.requestMidasPaymentGameItem!({
        signData: order.signData,
        paySig: order.paySig,
        signature: order.signature,
        success: () => resolve(null),
        fail: (failure) => resolve(failure ?? {}),
      }),
    );

  /** Looks at the order at once, then after 1 s, 2 s, 4 s, 5 s, 5 s… until it is delivered or the time is up. */
  async function waitForDelivery(outTradeNo: string): Promise<Order> {
    const deadline = Date.now() + deliveryTimeoutMs;
    let interval = firstPollMs;
    let lastError: unknown;
    for (;;) {
      // A failed look (the network, the server busy) is tried again until the deadline.
      const order = await api.payments.order.query({ outTradeNo }).catch((error: unknown) => void (lastError = error));
      if (order?.status === 'delivered') return order;
      if (order?.status === 'refunded')
        throw new MinigatePaymentError('REFUNDED', `order ${outTradeNo} was refunded before its delivery`, { outTradeNo });
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new MinigatePaymentError(
          'DELIVERY_TIMEOUT',
          `order ${outTradeNo} was paid but not delivered within ${deliveryTimeoutMs} ms: check it later with payments.order`,
          { outTradeNo, cause: lastError },
        );
      }
      await sleep(Math.min(interval, left));
      interval = Math.min(interval * 2, maxPollMs);
    }
  }

  return {
    async buyItem(input) {
      if (name !== 'wx' || typeof runtime.requestMidasPaymentGameItem !== 'function') {
        throw new MinigatePaymentError(
          'UNSUPPORTED',
          `payments.buyItem: ${name}.requestMidasPaymentGameItem is missing (WeChat's virtual payment: WeChat only, base library 2.19.2 or later)`,
        );
      }
      for (let relogged = false; ; relogged = true) {
        // SESSION_KEY_STALE from the server is handled by the session link: a new wx.login, then one retry.
        const order = await api.payments.createItemOrder.mutate(input).catch((error: unknown) => {
          throw new MinigatePaymentError('ORDER_FAILED', `payments.createItemOrder failed: ${messageOf(error)}`, { cause: error });
        });
        const failure = await requestPayment(order);
        if (!failure) return waitForDelivery(order.outTradeNo);
        const errCode = typeof failure.errCode === 'number' ? failure.errCode : -1;
        const details = { outTradeNo: order.outTradeNo, errCode, errMsg: failure.errMsg ?? null };
        if (!relogged && SESSION_KEY_REFUSED.includes(errCode)) {
          // A new order with a signature made with the session_key of a new login (once).
          await relogin().catch((error: unknown) => {
            throw new MinigatePaymentError('PAYMENT_FAILED', `the payment's signature was refused and a new login failed: ${messageOf(error)}`, {
              ...details,
              cause: error,
            });
          });
          continue;
        }
        const cancelled = CANCELLED.includes(errCode);
        throw new MinigatePaymentError(
          cancelled ? 'CANCELLED' : 'PAYMENT_FAILED',
          cancelled ? 'the player cancelled the payment' : `the payment failed: ${details.errMsg ?? 'no errMsg'} (errCode ${errCode})`,
          details,
        );
      }
    },
  };
}
