import type { PayOrder } from '@minigate/db';

/** What `payments.createItemOrder` answers: what wx.requestMidasPaymentGameItem takes, and the order's number. */
export interface ItemOrderAnswer {
  outTradeNo: string;
  /** The exact JSON string signed: pass it as it is. */
  signData: string;
  paySig: string;
  signature: string;
}

/** An order as the player (and `payments.order`) sees it. */
export interface OrderView {
  outTradeNo: string;
  productId: string;
  quantity: number;
  /** Fen, for the whole order. */
  price: number;
  status: 'created' | 'delivered' | 'refunded';
  /** Epoch milliseconds. */
  createdAt: number;
  deliveredAt: number | null;
}

export function orderView(order: PayOrder): OrderView {
  return {
    outTradeNo: order.outTradeNo,
    productId: order.productId,
    quantity: order.quantity,
    price: order.totalPrice,
    status: order.status,
    createdAt: order.createTime.getTime(),
    deliveredAt: order.deliveredAt ? order.deliveredAt.getTime() : null,
  };
}

/** What `wallet.get` answers. */
export interface WalletView {
  currencies: Record<string, number>;
  items: Record<string, number>;
}

/** One change in `wallet.history`. */
export interface WalletChangeView {
  id: number;
  /** Epoch milliseconds. */
  at: number;
  source: 'order' | 'mail' | 'operator' | 'spend';
  sourceRef: string | null;
  reason: string;
  /** The deltas, and the balances after them. */
  currencies: Record<string, { delta: number; balance: number }>;
  items: Record<string, { delta: number; balance: number }>;
}
