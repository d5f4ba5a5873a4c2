import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import { statementWithRetry, transactionWithRetry } from './write-conflict-retry.js';

/** Fields a player may change; each absent one stays as it is. */
export interface ProfileChanges {
  nickName?: string;
  avatar?: string;
  gender?: number;
  /** `YYYY-MM-DD`, or null to clear it. */
  birthday?: string | null;
}

/**
 * Applies a player's profile change. The nickname and avatar live on the
 * account (what logins answer) and the nickname on the profile too, as in
 * the seed design; both rows change in one transaction. False when the
 * account is gone.
 */
export async function updateProfile(db: Kysely<Database>, accountId: number, changes: ProfileChanges): Promise<boolean> {
  return transactionWithRetry(db, async (trx) => {
    const accountChanges = {
      ...(changes.nickName !== undefined ? { nickName: changes.nickName } : {}),
      ...(changes.avatar !== undefined ? { avatar: changes.avatar } : {}),
    };
    if (Object.keys(accountChanges).length > 0) {
      await trx.updateTable('account').set(accountChanges).where('accountId', '=', accountId).where('isDel', '=', 0).execute();
    }
    const profileChanges = {
      ...(changes.nickName !== undefined ? { nickName: changes.nickName } : {}),
      ...(changes.gender !== undefined ? { gender: changes.gender } : {}),
      ...(changes.birthday !== undefined ? { birthday: changes.birthday === null ? null : sql<Date>`${changes.birthday}` } : {}),
    };
    // MySQL counts a row whose values did not change as not updated: check existence instead.
    if (Object.keys(profileChanges).length > 0) {
      await trx.updateTable('accountProfile').set(profileChanges).where('accountId', '=', accountId).where('isDel', '=', 0).execute();
    }
    const live = await trx.selectFrom('account').select('accountId').where('accountId', '=', accountId).where('isDel', '=', 0).executeTakeFirst();
    return live !== undefined;
  });
}

/**
 * One heartbeat, one statement: the player is online, and the time since
 * the previous heartbeat counts as online when it is at most
 * `timeoutSeconds` (a longer gap means the game was closed in between).
 * A previous heartbeat in the future (a clock moved back) counts nothing.
 * Returns the account's online seconds, or undefined when it is gone.
 */
export async function recordHeartbeat(db: Kysely<Database>, accountId: number, at: Date, timeoutSeconds: number): Promise<number | undefined> {
  await statementWithRetry(db, () =>
    db
      .updateTable('accountProfile')
      // MySQL assigns left to right and later assignments see earlier ones:
      // online_seconds comes first, so it reads the previous status and time.
      .set({
        onlineSeconds: sql<number>`online_seconds + IF(
          online_status = 1 AND heartbeat_time IS NOT NULL AND heartbeat_time <= ${at} AND heartbeat_time >= ${at} - INTERVAL ${timeoutSeconds} SECOND,
          TIMESTAMPDIFF(SECOND, heartbeat_time, ${at}), 0)`,
        onlineStatus: 1,
        heartbeatTime: at,
      })
      .where('accountId', '=', accountId)
      .where('isDel', '=', 0)
      .execute(),
  );
  const row = await db
    .selectFrom('accountProfile')
    .select('onlineSeconds')
    .where('accountId', '=', accountId)
    .where('isDel', '=', 0)
    .executeTakeFirst();
  return row ? Number(row.onlineSeconds) : undefined;
}

/** Marks offline every player whose last heartbeat is older than `before`; returns how many. */
export async function sweepOffline(db: Kysely<Database>, before: Date): Promise<number> {
  const result = await statementWithRetry(db, () =>
    db
      .updateTable('accountProfile')
      .set({ onlineStatus: 0 })
      .where('onlineStatus', '=', 1)
      .where((eb) => eb.or([eb('heartbeatTime', '<', before), eb('heartbeatTime', 'is', null)]))
      .executeTakeFirst(),
  );
  return Number(result.numUpdatedRows);
}

/** Players online now: a heartbeat since `since`. */
export async function countOnline(db: Kysely<Database>, since: Date): Promise<number> {
  const row = await db
    .selectFrom('accountProfile')
    .select((eb) => eb.fn.countAll<number | string>().as('online'))
    .where('onlineStatus', '=', 1)
    .where('heartbeatTime', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.online);
}
