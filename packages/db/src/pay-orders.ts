import type { Kysely, Selectable } from 'kysely';
import { prepared } from './prepared.js';
import type { Database, PayOrderStatus, PayOrderTable } from './schema.js';
import type { AuditEntry } from './account-lifecycle.js';
import { applyWalletChangeIn, WalletInsufficientError, type WalletChange } from './wallet.js';
import { transactionWithRetry } from './write-conflict-retry.js';

/** An item order as the server signed it. */
export type PayOrder = Omit<Selectable<PayOrderTable>, 'deliveredByPush'>;

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

/** delivered: granted now; already: an earlier push (or an operator) delivered it; refunded: nothing is granted any more; refused: the check said no. */
export type DeliveryOutcome = 'delivered' | 'already' | 'refunded' | 'unknown' | 'refused';

const orderOf = prepared((db: Kysely<Database>, outTradeNo: string) =>
  db.selectFrom('payOrder').select(ORDER_COLUMNS).where('outTradeNo', '=', outTradeNo),
);

/** The order delivered, and its push's outcome, in one statement. */
const markDelivered = prepared(
  (db: Kysely<Database>, deliveredAt: Date, pushId: number, outcome: string, processedAt: Date, outTradeNo: string, samePushId: number) =>
    db
      .updateTable(['payOrder', 'payPush'])
      .set('payOrder.status', 'delivered')
      .set('payOrder.deliveredAt', deliveredAt)
      .set('payOrder.deliveredByPush', pushId)
      .set('payPush.outcome', outcome)
      .set('payPush.processedAt', processedAt)
      .where('payOrder.outTradeNo', '=', outTradeNo)
      .where('payOrder.status', '=', 'created')
      .where('payPush.pushId', '=', samePushId),
);

const markDeliveredByHand = prepared((db: Kysely<Database>, deliveredAt: Date, outTradeNo: string) =>
  db.updateTable('payOrder').set({ status: 'delivered', deliveredAt }).where('outTradeNo', '=', outTradeNo).where('status', '=', 'created'),
);

const pushOutcome = prepared((db: Kysely<Database>, outcome: string, processedAt: Date, pushId: number) =>
  db.updateTable('payPush').set({ outcome, processedAt }).where('pushId', '=', pushId),
);

/**
 * Delivers an order once, in one transaction: the order read (a plain read:
 * the grant's unique key decides a race), `check` (a push that differs from
 * its order is refused, nothing granted), the grant (a wallet change keyed
 * `order:<outTradeNo>`, so a second delivery is `repeated` and grants
 * nothing), then the order marked delivered together with the push's
 * outcome. A crash anywhere in it rolls everything back: the next push
 * delivers whole. With a push, its outcome is written in the same transaction.
 */
export async function deliverPayOrder(
  db: Kysely<Database>,
  delivery: { outTradeNo: string; pushId: number | null; at: Date; check?: (order: PayOrder) => boolean; grant: (order: PayOrder) => WalletChange },
): Promise<{ outcome: DeliveryOutcome; order: PayOrder | null }> {
  return transactionWithRetry(db, async (trx) => {
    const order = (await orderOf(trx, delivery.outTradeNo)).rows[0] ?? null;
    const finish = async (outcome: DeliveryOutcome) => {
      if (delivery.pushId !== null) await pushOutcome(trx, outcome, delivery.at, delivery.pushId);
      return { outcome, order };
    };
    if (!order) return finish('unknown');
    if (delivery.check && !delivery.check(order)) return finish('refused');
    if (order.status === 'refunded') return finish('refunded');
    if (order.status === 'delivered') return finish('already');
    const granted = await applyWalletChangeIn(trx, delivery.grant(order));
    const marked =
      delivery.pushId === null
        ? await markDeliveredByHand(trx, delivery.at, delivery.outTradeNo)
        : await markDelivered(trx, delivery.at, delivery.pushId, 'delivered', delivery.at, delivery.outTradeNo, delivery.pushId);
    if (granted.kind === 'applied' && Number(marked.numAffectedRows ?? 0) >= 1) return { outcome: 'delivered' as const, order };
    return finish('already');
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
