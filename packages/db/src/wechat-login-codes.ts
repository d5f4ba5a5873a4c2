import type { Kysely } from 'kysely';
import { prepared } from './prepared.js';
import type { Database } from './schema.js';

/** What jscode2session answered for one code, kept under the code's hash. */
export type LoginCodeOutcome =
  | { outcome: 'session'; openid: string; unionid: string | null; sessionKey: string; answeredAt: Date }
  | { outcome: 'failed'; failure: string; answeredAt: Date };

// Every login reads one and writes one: compiled once (see prepared).
const loginCodeRow = prepared((db: Kysely<Database>, codeHash: string, now: Date) =>
  db
    .selectFrom('wechatLoginCode')
    .select(['outcome', 'openid', 'unionid', 'sessionKey', 'failure', 'answeredAt'])
    .where('codeHash', '=', codeHash)
    .where('expiresAt', '>', now),
);

const insertLoginCode = prepared(
  (
    db: Kysely<Database>,
    codeHash: string,
    outcome: 'session' | 'failed',
    openid: string | null,
    unionid: string | null,
    sessionKey: string | null,
    failure: string | null,
    answeredAt: Date,
    expiresAt: Date,
  ) => db.insertInto('wechatLoginCode').ignore().values({ codeHash, outcome, openid, unionid, sessionKey, failure, answeredAt, expiresAt }),
);

/** The code's remembered outcome while it has not expired, or null. */
export async function findLoginCode(db: Kysely<Database>, codeHash: string, now: Date): Promise<LoginCodeOutcome | null> {
  const row = (await loginCodeRow(db, codeHash, now)).rows[0];
  if (!row) return null;
  if (row.outcome === 'session' && row.openid && row.sessionKey) {
    return { outcome: 'session', openid: row.openid, unionid: row.unionid, sessionKey: row.sessionKey, answeredAt: row.answeredAt };
  }
  return { outcome: 'failed', failure: row.failure ?? 'unknown', answeredAt: row.answeredAt };
}

/** Remembers a code's outcome until `expiresAt`; a code seen before keeps its first outcome. */
export async function rememberLoginCode(db: Kysely<Database>, codeHash: string, entry: LoginCodeOutcome, expiresAt: Date): Promise<void> {
  const session = entry.outcome === 'session' ? entry : null;
  await insertLoginCode(
    db,
    codeHash,
    entry.outcome,
    session?.openid ?? null,
    session?.unionid ?? null,
    session?.sessionKey ?? null,
    entry.outcome === 'failed' ? entry.failure : null,
    entry.answeredAt,
    expiresAt,
  );
}

/** Deletes the codes that expired before `before`; returns how many. */
export async function pruneLoginCodes(db: Kysely<Database>, before: Date): Promise<number> {
  const result = await db.deleteFrom('wechatLoginCode').where('expiresAt', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
