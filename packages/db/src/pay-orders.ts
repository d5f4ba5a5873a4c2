import type { Kysely } from 'kysely';
import type { Database, PayOrderStatus } from './schema.js';
import type { AuditEntry } from './account-lifecycle.js';
import { applyWalletChangeIn, WalletInsufficientError, type WalletChange } from './wallet.js';
import { transactionWithRetry } from './write-conflict-retry.js';

/** An item order as the server signed it. */
export interface PayOrder {
  outTradeNo: string;
  appid: string;
  accountId: number;
  openid: string;
  productId: string;
  quantity: number;
  unitPrice: number;
  totalPrice: number;
  /** JSON { currencies, items }: what the whole order grants. */
  grants: string;
  env: number;
  status: PayOrderStatus;
  createTime: Date;
  deliveredAt: Date | null;
  refundedAt: Date | null;
}

const ORDER_COLUMNS = [
  'outTradeNo',
  'appid',
  'accountId',
  'openid',
  'productId',
  'quantity',
  'unitPrice',
  'totalPrice',
  'grants',
  'env',
  'status',
  'createTime',
  'deliveredAt',
  'refundedAt',
] as const;

export async function insertPayOrder(db: Kysely<Database>, order: Omit<PayOrder, 'status' | 'deliveredAt' | 'refundedAt'>): Promise<void> {
  await db.insertInto('payOrder').values(order).execute();
}

/** The order of this number (of this account, when one is given), or undefined. */
export async function findPayOrder(db: Kysely<Database>, outTradeNo: string, accountId?: number): Promise<PayOrder | undefined> {
  let query = db.selectFrom('payOrder').select(ORDER_COLUMNS).where('outTradeNo', '=', outTradeNo);
  if (accountId !== undefined) query = query.where('accountId', '=', accountId);
  return query.executeTakeFirst();
}

/** Orders newest first, `limit` at a time from before `before` (an order number); of one account, or all (operators). */
export async function listPayOrders(
  db: Kysely<Database>,
  options: { accountId?: number; before: string | null; limit: number; status?: PayOrderStatus },
): Promise<{ orders: PayOrder[]; more: boolean }> {
  let query = db
    .selectFrom('payOrder')
    .select(ORDER_COLUMNS)
    .orderBy('createTime', 'desc')
    .orderBy('outTradeNo', 'desc')
    .limit(options.limit + 1);
  if (options.accountId !== undefined) query = query.where('accountId', '=', options.accountId);
  if (options.status !== undefined) query = query.where('status', '=', options.status);
  if (options.before !== null) {
    const before = await db.selectFrom('payOrder').select(['createTime', 'outTradeNo']).where('outTradeNo', '=', options.before).executeTakeFirst();
    if (before) {
      query = query.where((eb) =>
        eb.or([
          eb('createTime', '<', before.createTime),
          eb.and([eb('createTime', '=', before.createTime), eb('outTradeNo', '<', before.outTradeNo)]),
        ]),
      );
    }
  }
  const rows = await query.execute();
  return { orders: rows.slice(0, options.limit), more: rows.length > options.limit };
}

/** Keeps a push as received, before anything is done with it; returns its id. */
export async function recordPush(
  db: Kysely<Database>,
  push: { appid: string; event: string; outTradeNo: string | null; body: string; at: Date },
): Promise<number> {
  const inserted = await db
    .insertInto('payPush')
    .values({ appid: push.appid, event: push.event, outTradeNo: push.outTradeNo, body: push.body, receivedAt: push.at })
    .executeTakeFirstOrThrow();
  return Number(inserted.insertId);
}

/** What became of a push (delivered, repeated, refused: …). */
export async function finishPush(db: Kysely<Database>, pushId: number, outcome: string, at: Date): Promise<void> {
  await db.updateTable('payPush').set({ outcome, processedAt: at }).where('pushId', '=', pushId).execute();
}

/** delivered: granted now; already: an earlier push (or an operator) delivered it; refunded: nothing is granted any more. */
export type DeliveryOutcome = 'delivered' | 'already' | 'refunded' | 'unknown';

/**
 * Delivers an order once, in one transaction: the grant (a wallet change
 * keyed `order:<outTradeNo>`, so a second delivery is `repeated` and
 * grants nothing), then the order marked delivered. A crash between the two
 * rolls both back: the next push delivers whole.
 */
export async function deliverPayOrder(
  db: Kysely<Database>,
  delivery: { outTradeNo: string; pushId: number | null; at: Date; grant: (order: PayOrder) => WalletChange },
): Promise<DeliveryOutcome> {
  return transactionWithRetry(db, async (trx) => {
    const order = await trx.selectFrom('payOrder').select(ORDER_COLUMNS).where('outTradeNo', '=', delivery.outTradeNo).executeTakeFirst();
    if (!order) return 'unknown';
    if (order.status === 'refunded') return 'refunded';
    if (order.status === 'delivered') return 'already';
    const granted = await applyWalletChangeIn(trx, delivery.grant(order));
    const marked = await trx
      .updateTable('payOrder')
      .set({ status: 'delivered', deliveredAt: delivery.at, deliveredByPush: delivery.pushId })
      .where('outTradeNo', '=', delivery.outTradeNo)
      .where('status', '=', 'created')
      .executeTakeFirst();
    return granted.kind === 'applied' && Number(marked.numUpdatedRows) === 1 ? 'delivered' : 'already';
  });
}

/** The pushes kept for an order, oldest first: when each came and what became of it. */
export async function listOrderPushes(db: Kysely<Database>, outTradeNo: string) {
  return db
    .selectFrom('payPush')
    .select(['pushId', 'event', 'receivedAt', 'outcome', 'processedAt'])
    .where('outTradeNo', '=', outTradeNo)
    .orderBy('pushId')
    .execute();
}

/** refunded: marked, its grant taken back (when it had been delivered); already: refunded before; insufficient: the player no longer holds the grant. */
export type RefundOutcome = 'refunded' | 'already' | 'unknown' | 'insufficient';

/**
 * An operator's refund of an order, in one transaction: the order's row
 * locked, the grant taken back when it was delivered (`takeBack`, a wallet
 * change keyed by the order: once), the order marked refunded.
 */
export async function refundPayOrder(
  db: Kysely<Database>,
  refund: { outTradeNo: string; at: Date; takeBack: (order: PayOrder) => WalletChange; audit: (order: PayOrder) => AuditEntry },
): Promise<RefundOutcome> {
  try {
    return await transactionWithRetry(db, async (trx) => {
      const order = await trx.selectFrom('payOrder').select(ORDER_COLUMNS).where('outTradeNo', '=', refund.outTradeNo).forUpdate().executeTakeFirst();
      if (!order) return 'unknown';
      if (order.status === 'refunded') return 'already';
      if (order.status === 'delivered') await applyWalletChangeIn(trx, refund.takeBack(order));
      await trx.updateTable('payOrder').set({ status: 'refunded', refundedAt: refund.at }).where('outTradeNo', '=', refund.outTradeNo).execute();
      await trx.insertInto('accountAudit').values(refund.audit(order)).execute();
      return 'refunded';
    });
  } catch (error) {
    if (error instanceof WalletInsufficientError) return 'insufficient';
    throw error;
  }
}
