import { timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, SessionRevokedReason } from './schema.js';
import { revokeSessionRow } from './session-ends.js';
import { statementWithRetry, transactionWithRetry } from './write-conflict-retry.js';

/** A session to open at sign-in (in the sign-in's transaction). */
export interface NewSession {
  /** SHA-256 (hex) of the refresh token's secret part. */
  refreshTokenHash: string;
  expiresAt: Date;
  userAgent: string;
  /** The game signed in to (null: the deployment's WeChat app, as before several games). */
  appid?: string | null;
}

/** What to do with a presented refresh token, in one transaction. */
export interface RefreshRotation {
  sessionId: number;
  /** SHA-256 (hex) of the presented token's secret part. */
  presentedHash: string;
  /**
   * The hash of the presented secret's child under each configured key, by
   * key id: the new secret a rotation stores, and the one a retry answers.
   */
  childHashes: ReadonlyMap<string, string>;
  /** The key a chain is moved to when its own key is no longer configured (or it has none yet). */
  currentKeyId: string;
  at: Date;
  /** How long the token a rotation spent may be presented again (a retry over a flaky network). */
  reuseGraceMs: number;
  /** REFRESH_TOKEN_TTL: a session used at least once per this stays open... */
  refreshTokenTtlMs: number;
  /** ...up to SESSION_MAX_AGE after its sign-in (createTime), however often it is refreshed. */
  maxAgeMs: number;
  ip: string;
  userAgent: string;
}

export type RefreshOutcome =
  /**
   * Served: the child of the presented secret under key `keyId` is the
   * session's refresh token now. `retried`: the presented one was spent by
   * the last rotation, within the grace window, and that rotation's child
   * is answered again (nothing written).
   */
  | { kind: 'rotated'; accountId: number; nickName: string; avatar: string; appid: string | null; keyId: string; retried: boolean }
  /** No session has this token (garbage, forged, of an ended session, or from before a restart). */
  | { kind: 'unknown' }
  /**
   * Not the current token nor the last one spent, of a live session with
   * spent tokens: a spent one if walking forward from it under `keyId`
   * reaches `currentHash` within `rotations` steps (then call
   * revokeReusedSession), else unknown.
   */
  | { kind: 'unmatched'; currentHash: string; rotations: number; keyId: string }
  | { kind: 'revoked'; reason: SessionRevokedReason | null }
  | { kind: 'expired' }
  /** A spent token came back after the grace window: the whole session is revoked now. */
  | { kind: 'reused'; accountId: number }
  | { kind: 'account_disabled' }
  | { kind: 'account_deleted' };

function sameHash(stored: string | null | undefined, presented: string): boolean {
  if (stored === null || stored === undefined || stored.length !== presented.length) return false;
  return timingSafeEqual(Buffer.from(stored), Buffer.from(presented));
}

/** When a session used at `at` expires: REFRESH_TOKEN_TTL from now, never past sign-in + SESSION_MAX_AGE. */
function sessionExpiry(createTime: Date, at: Date, refreshTokenTtlMs: number, maxAgeMs: number): Date {
  return new Date(Math.min(at.getTime() + refreshTokenTtlMs, createTime.getTime() + maxAgeMs));
}

/**
 * Rotates a refresh token under a lock on its session row, so that
 * parallel refreshes of one token run one after the other and exactly one
 * refresh token of the session is live at any time:
 * - the current token: spent now; its child (an HMAC of it, computed by the
 *   caller) stored as the new one;
 * - the token the last rotation spent, within the grace window: answered
 *   with the same child the first rotation gave (a client retrying a
 *   refresh whose answer it lost; a thief gets nothing the victim lacks,
 *   and whoever falls behind later ends the session), nothing written;
 * - that token after the grace window: reuse, the session is revoked (as
 *   Supabase's GoTrue does), and stays revoked because it commits;
 * - any other token: `unmatched`, for the caller to walk the chain from it
 *   (outside the lock) and prove it a spent one, or not.
 *
 * Run again whole on a write conflict (transactionWithRetry): a rolled-back
 * run left nothing, and the next one decides afresh from the row it locks.
 * The child is a function of the presented secret, so a run that meets the
 * winner's rotation answers the winner's child.
 */
export async function rotateRefreshToken(db: Kysely<Database>, rotation: RefreshRotation): Promise<RefreshOutcome> {
  return transactionWithRetry(db, async (trx) => {
    const session = await trx
      .selectFrom('accountSession')
      .select([
        'accountId',
        'refreshTokenHash',
        'previousRefreshTokenHash',
        'rotatedAt',
        'refreshRotations',
        'refreshKeyId',
        'createTime',
        'expiresAt',
        'revokedAt',
        'revokedReason',
        'appid',
      ])
      .where('sessionId', '=', rotation.sessionId)
      .forUpdate()
      .executeTakeFirst();
    if (!session) return { kind: 'unknown' };
    const at = rotation.at.getTime();
    const expired = session.expiresAt.getTime() <= at || session.createTime.getTime() + rotation.maxAgeMs <= at;
    const isCurrent = sameHash(session.refreshTokenHash, rotation.presentedHash);
    const isPrevious = !isCurrent && sameHash(session.previousRefreshTokenHash, rotation.presentedHash);
    if (!isCurrent && !isPrevious) {
      // Nothing spent in this chain (or no key to walk with), or nothing left to protect: a plain refusal.
      if (session.revokedAt || expired || session.refreshRotations === 0 || session.refreshKeyId === null) return { kind: 'unknown' };
      return { kind: 'unmatched', currentHash: session.refreshTokenHash, rotations: session.refreshRotations, keyId: session.refreshKeyId };
    }
    if (session.revokedAt) return { kind: 'revoked', reason: session.revokedReason };
    if (expired) return { kind: 'expired' };

    const account = await trx
      .selectFrom('account')
      .select(['dataFlag', 'isDel', 'nickName', 'avatar'])
      .where('accountId', '=', session.accountId)
      .executeTakeFirst();
    if (!account || account.isDel) return { kind: 'account_deleted' };
    if (account.dataFlag !== 1) return { kind: 'account_disabled' };
    const served = { accountId: session.accountId, nickName: account.nickName, avatar: account.avatar, appid: session.appid };

    if (isPrevious) {
      const spentAt = session.rotatedAt?.getTime() ?? 0;
      if (at - spentAt > rotation.reuseGraceMs) {
        await revokeSessionRow(trx, rotation.sessionId, 'refresh_token_reused');
        return { kind: 'reused', accountId: session.accountId };
      }
      // The same child, if the current secret is the presented one's child: not so when a server of the
      // previous release made it at random (a rolling deploy), or its key is no longer configured.
      const keyId = session.refreshKeyId;
      if (keyId === null || !sameHash(rotation.childHashes.get(keyId), session.refreshTokenHash)) return { kind: 'unknown' };
      return { kind: 'rotated', ...served, keyId, retried: true };
    }

    // The chain stays under its key while that key is configured; a new chain, or one whose key was dropped, takes the current one.
    const keyId = session.refreshKeyId !== null && rotation.childHashes.has(session.refreshKeyId) ? session.refreshKeyId : rotation.currentKeyId;
    const nextHash = rotation.childHashes.get(keyId);
    if (nextHash === undefined) throw new Error('rotateRefreshToken: no child hash for the current key');
    await trx
      .updateTable('accountSession')
      .set({
        refreshTokenHash: nextHash,
        previousRefreshTokenHash: session.refreshTokenHash,
        rotatedAt: rotation.at,
        refreshRotations: session.refreshRotations + 1,
        refreshKeyId: keyId,
        lastUsedAt: rotation.at,
        expiresAt: sessionExpiry(session.createTime, rotation.at, rotation.refreshTokenTtlMs, rotation.maxAgeMs),
        ip: rotation.ip,
        userAgent: rotation.userAgent,
      })
      .where('sessionId', '=', rotation.sessionId)
      .execute();
    return { kind: 'rotated', ...served, keyId, retried: false };
  });
}

/**
 * Ends a session a spent token was proven to belong to: walking forward
 * from it reached `walkedTo`, the current hash when rotateRefreshToken
 * answered `unmatched`. Revokes only while that hash is still the current
 * one or the one the last rotation spent (so the token is still a spent one
 * of this chain); `moved` when the chain went further, or was restarted,
 * meanwhile (refresh again from the start). Safe to run again: a revoked
 * session is never revoked twice.
 */
export async function revokeReusedSession(
  db: Kysely<Database>,
  sessionId: number,
  walkedTo: string,
): Promise<{ kind: 'reused'; accountId: number } | { kind: 'revoked'; reason: SessionRevokedReason | null } | { kind: 'moved' }> {
  return transactionWithRetry(db, async (trx) => {
    const session = await trx
      .selectFrom('accountSession')
      .select(['accountId', 'refreshTokenHash', 'previousRefreshTokenHash', 'revokedAt', 'revokedReason'])
      .where('sessionId', '=', sessionId)
      .forUpdate()
      .executeTakeFirst();
    if (!session) return { kind: 'moved' };
    if (session.revokedAt) return { kind: 'revoked', reason: session.revokedReason };
    if (!sameHash(session.refreshTokenHash, walkedTo) && !sameHash(session.previousRefreshTokenHash, walkedTo)) return { kind: 'moved' };
    await revokeSessionRow(trx, sessionId, 'refresh_token_reused');
    return { kind: 'reused', accountId: session.accountId };
  });
}

/**
 * Starts a live session's refresh chain again from a new random secret
 * (a retried login answered with the session its first answer opened):
 * the hash replaced, nothing spent (no previous hash, no rotations, no key),
 * so every token of the old chain is refused as unknown and ends nothing.
 * False when the session is not live. Runs in the caller's transaction when
 * given one.
 */
export async function restartSessionRefresh(db: Kysely<Database>, sessionId: number, refreshTokenHash: string, at: Date): Promise<boolean> {
  const result = await statementWithRetry(db, () =>
    db
      .updateTable('accountSession')
      .set({
        refreshTokenHash,
        previousRefreshTokenHash: null,
        rotatedAt: null,
        refreshRotations: 0,
        refreshKeyId: null,
        lastUsedAt: at,
      })
      .where('sessionId', '=', sessionId)
      .where('revokedAt', 'is', null)
      .executeTakeFirst(),
  );
  return Number(result.numUpdatedRows) > 0;
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
