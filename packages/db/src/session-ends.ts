import { sql, type Kysely } from 'kysely';
import type { Database, SessionRevokedReason } from './schema.js';
import { statementWithRetry } from './write-conflict-retry.js';

/** Ends the session, in the caller's transaction when given one; false when it had ended already. */
export async function revokeSessionRow(db: Kysely<Database>, sessionId: number, reason: SessionRevokedReason): Promise<boolean> {
  const result = await statementWithRetry(db, () =>
    db
      .updateTable('accountSession')
      .set({ revokedAt: sql<Date>`NOW(3)`, revokedReason: reason })
      .where('sessionId', '=', sessionId)
      .where('revokedAt', 'is', null)
      .executeTakeFirst(),
  );
  return Number(result.numUpdatedRows) > 0;
}

/** Ends one session of an account; false when it was not live (or not the account's). */
export async function revokeSession(db: Kysely<Database>, accountId: number, sessionId: number, reason: SessionRevokedReason): Promise<boolean> {
  const result = await statementWithRetry(db, () =>
    db
      .updateTable('accountSession')
      .set({ revokedAt: sql<Date>`NOW(3)`, revokedReason: reason })
      .where('sessionId', '=', sessionId)
      .where('accountId', '=', accountId)
      .where('revokedAt', 'is', null)
      .executeTakeFirst(),
  );
  return Number(result.numUpdatedRows) > 0;
}

/** Ends a session whose current refresh token hashes to `refreshTokenHash` (a logout without an access token). */
export async function revokeSessionHoldingRefreshHash(
  db: Kysely<Database>,
  sessionId: number,
  refreshTokenHash: string,
  reason: SessionRevokedReason,
): Promise<boolean> {
  const result = await statementWithRetry(db, () =>
    db
      .updateTable('accountSession')
      .set({ revokedAt: sql<Date>`NOW(3)`, revokedReason: reason })
      .where('sessionId', '=', sessionId)
      .where('refreshTokenHash', '=', refreshTokenHash)
      .where('revokedAt', 'is', null)
      .executeTakeFirst(),
  );
  return Number(result.numUpdatedRows) > 0;
}

/** Ends every live session of an account (logoutAll, ban, deletion); returns how many. */
export async function revokeAccountSessions(db: Kysely<Database>, accountId: number, reason: SessionRevokedReason): Promise<number> {
  const result = await statementWithRetry(db, () =>
    db
      .updateTable('accountSession')
      .set({ revokedAt: sql<Date>`NOW(3)`, revokedReason: reason })
      .where('accountId', '=', accountId)
      .where('revokedAt', 'is', null)
      .executeTakeFirst(),
  );
  return Number(result.numUpdatedRows);
}

const PRUNE_BATCH = 1_000;

/**
 * Deletes sessions that expired or were revoked before `before`, in small
 * batches so no statement holds many locks. Returns how many went.
 */
export async function pruneSessions(db: Kysely<Database>, before: Date): Promise<number> {
  let pruned = 0;
  for (;;) {
    const result = await statementWithRetry(db, () =>
      db
        .deleteFrom('accountSession')
        .where((eb) => eb.or([eb('expiresAt', '<', before), eb('revokedAt', '<', before)]))
        .limit(PRUNE_BATCH)
        .executeTakeFirst(),
    );
    const deleted = Number(result.numDeletedRows);
    pruned += deleted;
    if (deleted < PRUNE_BATCH) return pruned;
  }
}
