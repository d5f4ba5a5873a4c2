import { timingSafeEqual } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, SessionRevokedReason } from './schema.js';

/** A session to open at sign-in (in the sign-in's transaction). */
export interface NewSession {
  /** SHA-256 (hex) of the refresh token's secret part. */
  refreshTokenHash: string;
  expiresAt: Date;
  userAgent: string;
}

/** What to do with a presented refresh token, in one transaction. */
export interface RefreshRotation {
  sessionId: number;
  /** SHA-256 (hex) of the presented token's secret part. */
  presentedHash: string;
  /** The hash of the new token's secret, stored when the rotation succeeds. */
  nextHash: string;
  at: Date;
  /** How long the token a rotation spent may be presented again (a retry over a flaky network). */
  reuseGraceMs: number;
  /** The session's new expiry: a session used at least once per refresh-token lifetime stays open. */
  expiresAt: Date;
  ip: string;
  userAgent: string;
}

export type RefreshOutcome =
  | { kind: 'rotated'; accountId: number; nickName: string; avatar: string }
  /** No session has this token (garbage, forged, or spent long ago). */
  | { kind: 'unknown' }
  | { kind: 'revoked'; reason: SessionRevokedReason | null }
  | { kind: 'expired' }
  /** A spent token came back after the grace window: the whole session is revoked now. */
  | { kind: 'reused'; accountId: number }
  | { kind: 'account_disabled' }
  | { kind: 'account_deleted' };

function sameHash(stored: string | null, presented: string): boolean {
  if (stored === null || stored.length !== presented.length) return false;
  return timingSafeEqual(Buffer.from(stored), Buffer.from(presented));
}

/**
 * Rotates a refresh token under a lock on its session row, so that
 * parallel refreshes of one token run one after the other and exactly one
 * refresh token of the session is live at any time:
 * - the current token: spent now, a new one stored;
 * - the token the last rotation spent, within the grace window: rotated
 *   again (a client retrying a refresh whose answer it lost);
 * - that token after the grace window: reuse, the session is revoked
 *   (as Supabase's GoTrue does), and stays revoked because it commits.
 */
export async function rotateRefreshToken(db: Kysely<Database>, rotation: RefreshRotation): Promise<RefreshOutcome> {
  return db.transaction().execute(async (trx) => {
    const session = await trx
      .selectFrom('accountSession')
      .select(['accountId', 'refreshTokenHash', 'previousRefreshTokenHash', 'rotatedAt', 'expiresAt', 'revokedAt', 'revokedReason'])
      .where('sessionId', '=', rotation.sessionId)
      .forUpdate()
      .executeTakeFirst();
    if (!session) return { kind: 'unknown' };
    const isCurrent = sameHash(session.refreshTokenHash, rotation.presentedHash);
    const isPrevious = !isCurrent && sameHash(session.previousRefreshTokenHash, rotation.presentedHash);
    if (!isCurrent && !isPrevious) return { kind: 'unknown' };
    if (session.revokedAt) return { kind: 'revoked', reason: session.revokedReason };
    if (session.expiresAt.getTime() <= rotation.at.getTime()) return { kind: 'expired' };

    const account = await trx
      .selectFrom('account')
      .select(['dataFlag', 'isDel', 'nickName', 'avatar'])
      .where('accountId', '=', session.accountId)
      .executeTakeFirst();
    if (!account || account.isDel) return { kind: 'account_deleted' };
    if (account.dataFlag !== 1) return { kind: 'account_disabled' };

    if (isPrevious) {
      const spentAt = session.rotatedAt?.getTime() ?? 0;
      if (rotation.at.getTime() - spentAt > rotation.reuseGraceMs) {
        await revokeSessionRow(trx, rotation.sessionId, 'refresh_token_reused');
        return { kind: 'reused', accountId: session.accountId };
      }
    }
    await trx
      .updateTable('accountSession')
      .set({
        refreshTokenHash: rotation.nextHash,
        // A retry within the grace window keeps the same spent token and its time,
        // so the window is counted from the first rotation that spent it.
        previousRefreshTokenHash: isCurrent ? session.refreshTokenHash : session.previousRefreshTokenHash,
        rotatedAt: isCurrent ? rotation.at : session.rotatedAt,
        lastUsedAt: rotation.at,
        expiresAt: rotation.expiresAt,
        ip: rotation.ip,
        userAgent: rotation.userAgent,
      })
      .where('sessionId', '=', rotation.sessionId)
      .execute();
    return { kind: 'rotated', accountId: session.accountId, nickName: account.nickName, avatar: account.avatar };
  });
}

async function revokeSessionRow(db: Kysely<Database>, sessionId: number, reason: SessionRevokedReason): Promise<boolean> {
  const result = await db
    .updateTable('accountSession')
    .set({ revokedAt: sql<Date>`NOW(3)`, revokedReason: reason })
    .where('sessionId', '=', sessionId)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Ends one session of an account; false when it was not live (or not the account's). */
export async function revokeSession(db: Kysely<Database>, accountId: number, sessionId: number, reason: SessionRevokedReason): Promise<boolean> {
  const result = await db
    .updateTable('accountSession')
    .set({ revokedAt: sql<Date>`NOW(3)`, revokedReason: reason })
    .where('sessionId', '=', sessionId)
    .where('accountId', '=', accountId)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Ends a session whose current refresh token hashes to `refreshTokenHash` (a logout without an access token). */
export async function revokeSessionHoldingRefreshHash(
  db: Kysely<Database>,
  sessionId: number,
  refreshTokenHash: string,
  reason: SessionRevokedReason,
): Promise<boolean> {
  const result = await db
    .updateTable('accountSession')
    .set({ revokedAt: sql<Date>`NOW(3)`, revokedReason: reason })
    .where('sessionId', '=', sessionId)
    .where('refreshTokenHash', '=', refreshTokenHash)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Ends every live session of an account (logoutAll, ban, deletion); returns how many. */
export async function revokeAccountSessions(db: Kysely<Database>, accountId: number, reason: SessionRevokedReason): Promise<number> {
  const result = await db
    .updateTable('accountSession')
    .set({ revokedAt: sql<Date>`NOW(3)`, revokedReason: reason })
    .where('accountId', '=', accountId)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** What a protected call needs to know about its session, read from the database (the cache's fallback). */
export interface SessionState {
  accountId: number;
  revoked: boolean;
  dataFlag: number;
  isDel: number;
}

export async function findSessionState(db: Kysely<Database>, sessionId: number): Promise<SessionState | undefined> {
  const row = await db
    .selectFrom('accountSession')
    .innerJoin('account', 'account.accountId', 'accountSession.accountId')
    .select(['accountSession.accountId', 'accountSession.revokedAt', 'account.dataFlag', 'account.isDel'])
    .where('accountSession.sessionId', '=', sessionId)
    .executeTakeFirst();
  return row && { accountId: row.accountId, revoked: row.revokedAt !== null, dataFlag: row.dataFlag, isDel: row.isDel };
}

/** A session as operators and account.export see it: never a token or its hash. */
export interface SessionSummary {
  sessionId: number;
  createTime: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  ip: string;
  userAgent: string;
  revokedAt: Date | null;
  revokedReason: SessionRevokedReason | null;
}

export async function listAccountSessions(db: Kysely<Database>, accountId: number): Promise<SessionSummary[]> {
  return db
    .selectFrom('accountSession')
    .select(['sessionId', 'createTime', 'lastUsedAt', 'expiresAt', 'ip', 'userAgent', 'revokedAt', 'revokedReason'])
    .where('accountId', '=', accountId)
    .orderBy('sessionId')
    .execute();
}

const PRUNE_BATCH = 1_000;

/**
 * Deletes sessions that expired or were revoked before `before`, in small
 * batches so no statement holds many locks. Returns how many went.
 */
export async function pruneSessions(db: Kysely<Database>, before: Date): Promise<number> {
  let pruned = 0;
  for (;;) {
    const result = await db
      .deleteFrom('accountSession')
      .where((eb) => eb.or([eb('expiresAt', '<', before), eb('revokedAt', '<', before)]))
      .limit(PRUNE_BATCH)
      .executeTakeFirst();
    const deleted = Number(result.numDeletedRows);
    pruned += deleted;
    if (deleted < PRUNE_BATCH) return pruned;
  }
}
