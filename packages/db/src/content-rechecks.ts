import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import { statementWithRetry, transactionWithRetry } from './write-conflict-retry.js';

export interface ContentRecheck {
  recheckId: number;
  accountId: number;
  /** What the text is, e.g. `nickName`. */
  field: string;
  content: string;
  attempts: number;
}

/** Queues a text stored without WeChat's verdict for another check at `at`. */
export async function queueContentRecheck(
  db: Kysely<Database>,
  entry: { accountId: number; field: string; content: string; at: Date },
): Promise<void> {
  await statementWithRetry(db, () =>
    db
      .insertInto('contentRecheck')
      .values({ accountId: entry.accountId, field: entry.field, content: entry.content, nextAttemptAt: entry.at, createTime: entry.at })
      .execute(),
  );
}

/** Up to `limit` rechecks due by `now`, oldest first. */
export async function dueContentRechecks(db: Kysely<Database>, now: Date, limit: number): Promise<ContentRecheck[]> {
  return db
    .selectFrom('contentRecheck')
    .select(['recheckId', 'accountId', 'field', 'content', 'attempts'])
    .where('nextAttemptAt', '<=', now)
    .orderBy('nextAttemptAt')
    .limit(limit)
    .execute();
}

/** The recheck got its verdict (or is moot): it goes. */
export async function finishContentRecheck(db: Kysely<Database>, recheckId: number): Promise<void> {
  await db.deleteFrom('contentRecheck').where('recheckId', '=', recheckId).execute();
}

/** WeChat still could not judge: try again at `next`. */
export async function postponeContentRecheck(db: Kysely<Database>, recheckId: number, next: Date): Promise<void> {
  await statementWithRetry(db, () =>
    db
      .updateTable('contentRecheck')
      .set({ attempts: sql<number>`attempts + 1`, nextAttemptAt: next })
      .where('recheckId', '=', recheckId)
      .execute(),
  );
}

/** The rechecks waiting for the account, e.g. to tell the player their nickname is still under review. */
export async function countContentRechecks(db: Kysely<Database>, accountId: number): Promise<number> {
  const row = await db
    .selectFrom('contentRecheck')
    .select((eb) => eb.fn.countAll<number | string>().as('pending'))
    .where('accountId', '=', accountId)
    .executeTakeFirstOrThrow();
  return Number(row.pending);
}

/** Blanks the account's nickname (account and profile) if it is still `nickName`; true when it was. */
export async function clearNicknameIf(db: Kysely<Database>, accountId: number, nickName: string): Promise<boolean> {
  return transactionWithRetry(db, async (trx) => {
    const result = await trx
      .updateTable('account')
      .set({ nickName: '' })
      .where('accountId', '=', accountId)
      .where('nickName', '=', nickName)
      .where('isDel', '=', 0)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    await trx.updateTable('accountProfile').set({ nickName: '' }).where('accountId', '=', accountId).where('nickName', '=', nickName).execute();
    return true;
  });
}
