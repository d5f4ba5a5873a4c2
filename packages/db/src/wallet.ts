import { sql, type Kysely, type Transaction } from 'kysely';
import { isDuplicateKeyError } from './database-errors.js';
import { prepared } from './prepared.js';
import type { Database, WalletAssetKind, WalletSource } from './schema.js';
import { transactionWithRetry } from './write-conflict-retry.js';

/** One currency or item a change moves: a positive delta grants, a negative one spends. */
export interface WalletLine {
  kind: WalletAssetKind;
  asset: string;
  delta: number;
}

/** A grant or a spend, applied whole or not at all, once per idempotency key. */
export interface WalletChange {
  accountId: number;
  /** Unique across the deployment: `order:<outTradeNo>`, `spend:<account>:<key>`, `operator:<…>`. */
  idempotencyKey: string;
  source: WalletSource;
  /** What caused it (an order number, a mail id), or null. */
  sourceRef: string | null;
  reason: string;
  lines: readonly WalletLine[];
  at: Date;
}

/** applied: done now; repeated: this key changed the wallet before (nothing done again). */
export type WalletChangeOutcome = { kind: 'applied'; changeId: number } | { kind: 'repeated'; changeId: number };

/** A spend larger than the balance: the whole change is refused and nothing moved. */
export class WalletInsufficientError extends Error {
  override name = 'WalletInsufficientError';
  constructor(
    readonly kind: WalletAssetKind,
    readonly asset: string,
  ) {
    super(`the balance of ${kind} ${asset} is lower than the spend`);
  }
}

/**
 * Applies a change inside the caller's transaction (so that an order's
 * delivery and its grant commit together). The change's row is written
 * first, under its unique key: a second change with the same key waits for
 * the first to commit and is then `repeated`. Lines are applied in one
 * order (kind, asset), so concurrent changes lock balances alike and never
 * deadlock on each other. A spend is a conditional UPDATE (amount >= the
 * spend): a balance never goes below zero; when one would, it throws
 * WalletInsufficientError and the caller's transaction must roll back.
 */
export async function applyWalletChangeIn(trx: Transaction<Database>, change: WalletChange): Promise<WalletChangeOutcome> {
  let changeId: number;
  try {
    const inserted = await insertChange(trx, change.idempotencyKey, change.accountId, change.source, change.sourceRef, change.reason, change.at);
    changeId = Number(inserted.insertId);
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    // A locking read: it sees the change another transaction committed after this one's snapshot was taken.
    const first = await trx
      .selectFrom('walletChange')
      .select('changeId')
      .where('idempotencyKey', '=', change.idempotencyKey)
      .forUpdate()
      .executeTakeFirstOrThrow();
    return { kind: 'repeated', changeId: first.changeId };
  }
  const lines = mergedLines(change.lines);
  if (lines.length === 0) return { kind: 'applied', changeId };
  // Every grant in one statement (a purchase, a claimed mail: one round trip however many assets).
  const grants = lines.filter((line) => line.delta > 0);
  if (grants.length > 0) {
    await sql`
      INSERT INTO wallet_balance (account_id, asset_kind, asset, amount)
      VALUES ${sql.join(grants.map((line) => sql`(${change.accountId}, ${line.kind}, ${line.asset}, ${line.delta})`))}
      ON DUPLICATE KEY UPDATE amount = amount + VALUES(amount)`.execute(trx);
  }
  for (const line of lines.filter((candidate) => candidate.delta < 0)) {
    const spent = await trx
      .updateTable('walletBalance')
      .set({ amount: sql<number>`amount - ${-line.delta}` })
      .where('accountId', '=', change.accountId)
      .where('assetKind', '=', line.kind)
      .where('asset', '=', line.asset)
      .where('amount', '>=', -line.delta)
      .executeTakeFirst();
    if (Number(spent.numUpdatedRows) === 0) throw new WalletInsufficientError(line.kind, line.asset);
  }
  // The change's lines with the balances after them, read and written by the database in one statement.
  const matches = sql.join(
    lines.map((line) => sql`(asset_kind = ${line.kind} AND asset = ${line.asset})`),
    sql` OR `,
  );
  const deltas = sql.join(
    lines.map((line) => sql`WHEN asset_kind = ${line.kind} AND asset = ${line.asset} THEN ${line.delta}`),
    sql` `,
  );
  await sql`
    INSERT INTO wallet_entry (change_id, asset_kind, asset, delta, balance_after)
    SELECT ${changeId}, asset_kind, asset, CASE ${deltas} END, amount FROM wallet_balance
    WHERE account_id = ${change.accountId} AND (${matches})`.execute(trx);
  return { kind: 'applied', changeId };
}

const insertChange = prepared(
  (
    db: Kysely<Database>,
    idempotencyKey: string,
    accountId: number,
    source: WalletSource,
    sourceRef: string | null,
    reason: string,
    createTime: Date,
  ) => db.insertInto('walletChange').values({ idempotencyKey, accountId, source, sourceRef, reason, createTime }),
);

/** Applies a change in a transaction of its own (run again whole on a write conflict). */
export async function applyWalletChange(db: Kysely<Database>, change: WalletChange): Promise<WalletChangeOutcome> {
  return transactionWithRetry(db, (trx) => applyWalletChangeIn(trx, change));
}

/** One line per asset (deltas of the same asset added), zero lines dropped, in lock order. */
function mergedLines(lines: readonly WalletLine[]): WalletLine[] {
  const merged = new Map<string, WalletLine>();
  for (const line of lines) {
    const key = `${line.kind}:${line.asset}`;
    const known = merged.get(key);
    merged.set(key, { ...line, delta: (known?.delta ?? 0) + line.delta });
  }
  return [...merged.values()]
    .filter((line) => line.delta !== 0)
    .sort((a, b) => (a.kind === b.kind ? (a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0) : a.kind < b.kind ? -1 : 1));
}

export interface WalletHoldings {
  currencies: Record<string, number>;
  items: Record<string, number>;
}

/** What the player holds (nothing at zero). */
export async function readWallet(db: Kysely<Database>, accountId: number): Promise<WalletHoldings> {
  const rows = await db
    .selectFrom('walletBalance')
    .select(['assetKind', 'asset', 'amount'])
    .where('accountId', '=', accountId)
    .where('amount', '>', 0)
    .orderBy('asset')
    .execute();
  const holdings: WalletHoldings = { currencies: {}, items: {} };
  for (const row of rows) (row.assetKind === 'currency' ? holdings.currencies : holdings.items)[row.asset] = Number(row.amount);
  return holdings;
}

export interface WalletHistoryEntry {
  changeId: number;
  at: Date;
  source: WalletSource;
  sourceRef: string | null;
  reason: string;
  lines: Array<WalletLine & { balanceAfter: number }>;
}

/** The player's changes, newest first, `limit` at a time from before `beforeChangeId`. */
export async function readWalletHistory(
  db: Kysely<Database>,
  accountId: number,
  options: { beforeChangeId: number | null; limit: number },
): Promise<{ entries: WalletHistoryEntry[]; more: boolean }> {
  let query = db
    .selectFrom('walletChange')
    .select(['changeId', 'createTime', 'source', 'sourceRef', 'reason'])
    .where('accountId', '=', accountId)
    .orderBy('changeId', 'desc')
    .limit(options.limit + 1);
  if (options.beforeChangeId !== null) query = query.where('changeId', '<', options.beforeChangeId);
  const changes = await query.execute();
  const page = changes.slice(0, options.limit);
  const lines =
    page.length === 0
      ? []
      : await db
          .selectFrom('walletEntry')
          .select(['changeId', 'assetKind', 'asset', 'delta', 'balanceAfter'])
          .where(
            'changeId',
            'in',
            page.map((change) => change.changeId),
          )
          .orderBy('asset')
          .execute();
  return {
    entries: page.map((change) => ({
      changeId: change.changeId,
      at: change.createTime,
      source: change.source,
      sourceRef: change.sourceRef,
      reason: change.reason,
      lines: lines
        .filter((line) => line.changeId === change.changeId)
        .map((line) => ({ kind: line.assetKind, asset: line.asset, delta: Number(line.delta), balanceAfter: Number(line.balanceAfter) })),
    })),
    more: changes.length > options.limit,
  };
}
