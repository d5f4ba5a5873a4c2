import type { Transaction } from 'kysely';
import type { Database } from './schema.js';

/**
 * Locks the account's row (SELECT … FOR UPDATE) while it is live: the
 * first statement of a transaction that changes an account, so that a
 * deletion or a ban running at once waits for it, or it for them. False when
 * there is no live account.
 */
export async function lockLiveAccount(trx: Transaction<Database>, accountId: number): Promise<boolean> {
  const live = await trx
    .selectFrom('account')
    .select('accountId')
    .where('accountId', '=', accountId)
    .where('isDel', '=', 0)
    .forUpdate()
    .executeTakeFirst();
  return live !== undefined;
}
