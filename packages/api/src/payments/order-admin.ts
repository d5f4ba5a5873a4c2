import {
  deliverPayOrder,
  findPayOrder,
  listOrderPushes,
  listPayOrders,
  recordAudit,
  refundPayOrder,
  type Database,
  type DeliveryOutcome,
  type Kysely,
  type PayOrder,
  type PayOrderStatus,
  type RefundOutcome,
} from '@minigate/db';
import type { OperatorAction } from '../services/admin-service.js';
import { orderDelivery, orderRefund } from './order-grants.js';

/** What `pnpm admin` does with orders: see them, deliver one by hand, refund one. Each change is audited. */
export interface OrderAdmin {
  list(filter: { accountId?: number; status?: PayOrderStatus; limit: number }): Promise<PayOrder[]>;
  /** The order and the pushes kept for it. */
  show(outTradeNo: string): Promise<{ order: PayOrder; pushes: Awaited<ReturnType<typeof listOrderPushes>> } | undefined>;
  /** Delivers an order whose push never completed (once: a push later grants nothing more). */
  deliver(outTradeNo: string, action: Omit<OperatorAction, 'accountId'>): Promise<DeliveryOutcome>;
  /** Marks an order refunded and takes its grant back (refused, changing nothing, when the player no longer holds it). */
  refund(outTradeNo: string, action: Omit<OperatorAction, 'accountId'>): Promise<RefundOutcome>;
}

export function createOrderAdmin(deps: { db: Kysely<Database>; now?: () => number }): OrderAdmin {
  const now = deps.now ?? Date.now;
  return {
    async list(filter) {
      return (await listPayOrders(deps.db, { ...filter, before: null })).orders;
    },
    async show(outTradeNo) {
      const order = await findPayOrder(deps.db, outTradeNo);
      return order ? { order, pushes: await listOrderPushes(deps.db, outTradeNo) } : undefined;
    },
    async deliver(outTradeNo, { reason, by }) {
      const at = new Date(now());
      const { outcome, order } = await deliverPayOrder(deps.db, {
        outTradeNo,
        pushId: null,
        at,
        grant: (order) => orderDelivery(order, at, `delivered by ${by}: ${reason}`),
      });
      if (outcome === 'delivered' && order) {
        await recordAudit(deps.db, { accountId: order.accountId, action: 'deliver_order', reason: `${outTradeNo}: ${reason}`, actor: by });
      }
      return outcome;
    },
    refund(outTradeNo, { reason, by }) {
      const at = new Date(now());
      return refundPayOrder(deps.db, {
        outTradeNo,
        at,
        takeBack: (order) => orderRefund(order, at, `refunded by ${by}: ${reason}`),
        audit: (order) => ({ accountId: order.accountId, action: 'refund_order', reason: `${outTradeNo}: ${reason}`, actor: by }),
      });
    },
  };
}
