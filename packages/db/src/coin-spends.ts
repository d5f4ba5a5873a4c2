import type { Kysely, Selectable } from 'kysely';
import { isDuplicateKeyError } from './database-errors.js';
import type { CoinSpendStatus, CoinSpendTable, Database } from './schema.js';

/** A spend of WeChat's game coins under its bill number. */
export type CoinSpend = Selectable<CoinSpendTable>;

const COLUMNS = ['billNo', 'appid', 'accountId', 'amount', 'reason', 'env', 'status', 'balanceAfter', 'createTime', 'settledAt'] as const;

/**
 * The spend of this bill number: the one recorded now (pending), or the one
 * recorded before, by this or a concurrent request (the bill number is the
 * primary key: one bill, one spend).
 */
export async function openCoinSpend(
  db: Kysely<Database>,
  spend: Omit<CoinSpend, 'status' | 'balanceAfter' | 'settledAt'>,
): Promise<{ spend: CoinSpend; created: boolean }> {
  try {
    await db.insertInto('coinSpend').values(spend).execute();
    return { spend: { ...spend, status: 'pending', balanceAfter: null, settledAt: null }, created: true };
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const known = await db.selectFrom('coinSpend').select(COLUMNS).where('billNo', '=', spend.billNo).executeTakeFirstOrThrow();
    return { spend: known, created: false };
  }
}

/** Settles a pending spend: paid (with the balance after it, when WeChat said), refused or cancelled. */
export async function settleCoinSpend(
  db: Kysely<Database>,
  billNo: string,
  outcome: { status: Exclude<CoinSpendStatus, 'pending'>; balanceAfter: number | null; at: Date },
): Promise<void> {
  await db
    .updateTable('coinSpend')
    .set({ status: outcome.status, balanceAfter: outcome.balanceAfter, settledAt: outcome.at })
    .where('billNo', '=', billNo)
    .execute();
}

export async function findCoinSpend(db: Kysely<Database>, billNo: string): Promise<CoinSpend | undefined> {
  return db.selectFrom('coinSpend').select(COLUMNS).where('billNo', '=', billNo).executeTakeFirst();
}
