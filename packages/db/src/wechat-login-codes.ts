import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** What jscode2session answered for one code, kept under the code's hash. */
export type LoginCodeOutcome =
  | { outcome: 'session'; openid: string; unionid: string | null; sessionKey: string; answeredAt: Date }
  | { outcome: 'failed'; failure: string; answeredAt: Date };

/** The code's remembered outcome while it has not expired, or null. */
export async function findLoginCode(db: Kysely<Database>, codeHash: string, now: Date): Promise<LoginCodeOutcome | null> {
  const row = await db
    .selectFrom('wechatLoginCode')
    .select(['outcome', 'openid', 'unionid', 'sessionKey', 'failure', 'answeredAt'])
    .where('codeHash', '=', codeHash)
    .where('expiresAt', '>', now)
    .executeTakeFirst();
  if (!row) return null;
  if (row.outcome === 'session' && row.openid && row.sessionKey) {
    return { outcome: 'session', openid: row.openid, unionid: row.unionid, sessionKey: row.sessionKey, answeredAt: row.answeredAt };
  }
  return { outcome: 'failed', failure: row.failure ?? 'unknown', answeredAt: row.answeredAt };
}

/** Remembers a code's outcome until `expiresAt`; a code seen before keeps its first outcome. */
export async function rememberLoginCode(db: Kysely<Database>, codeHash: string, entry: LoginCodeOutcome, expiresAt: Date): Promise<void> {
  await db
    .insertInto('wechatLoginCode')
    .ignore()
    .values({
      codeHash,
      outcome: entry.outcome,
      openid: entry.outcome === 'session' ? entry.openid : null,
      unionid: entry.outcome === 'session' ? entry.unionid : null,
      sessionKey: entry.outcome === 'session' ? entry.sessionKey : null,
      failure: entry.outcome === 'failed' ? entry.failure : null,
      answeredAt: entry.answeredAt,
      expiresAt,
    })
    .execute();
}

/** Deletes the codes that expired before `before`; returns how many. */
export async function pruneLoginCodes(db: Kysely<Database>, before: Date): Promise<number> {
  const result = await db.deleteFrom('wechatLoginCode').where('expiresAt', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
