import type { PayOrder, WalletChange, WalletLine } from '@minigate/db';
import type { Product, ProductGrants } from './pay-settings.js';

/** What an order of `quantity` × the product grants, as the order keeps it (JSON): fixed when the order is made. */
export function orderGrantsJson(product: Product, quantity: number): string {
  const times = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).map(([asset, count]) => [asset, count * quantity]));
  return JSON.stringify({ currencies: times(product.grants.currencies), items: times(product.grants.items) } satisfies ProductGrants);
}

/** The order's grant as a wallet change: keyed by the order, so it is granted once whoever delivers it (a push, an operator). */
export function orderDelivery(order: PayOrder, at: Date, reason = `bought ${order.quantity} × ${order.productId}`): WalletChange {
  return {
    accountId: order.accountId,
    idempotencyKey: `order:${order.outTradeNo}`,
    source: 'order',
    sourceRef: order.outTradeNo,
    reason,
    lines: linesOf(order, 1),
    at,
  };
}

/** An operator's refund: the order's grant taken back, once. */
export function orderRefund(order: PayOrder, at: Date, reason: string): WalletChange {
  return {
    accountId: order.accountId,
    idempotencyKey: `refund:${order.outTradeNo}`,
    source: 'operator',
    sourceRef: order.outTradeNo,
    reason,
    lines: linesOf(order, -1),
    at,
  };
}

function linesOf(order: PayOrder, sign: 1 | -1): WalletLine[] {
  const grants = JSON.parse(order.grants) as ProductGrants;
  return [
    ...Object.entries(grants.currencies).map(([asset, count]) => ({ kind: 'currency' as const, asset, delta: sign * count })),
    ...Object.entries(grants.items).map(([asset, count]) => ({ kind: 'item' as const, asset, delta: sign * count })),
  ];
}
