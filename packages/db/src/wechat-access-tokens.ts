import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** One appid's access token as the table keeps it (the shape of the WeChat client's StoredAccessToken). */
export interface AccessTokenRow {
  token: string;
  /** Epoch milliseconds; 0 once invalidated. */
  expiresAt: number;
  forceRefreshedAt: number | null;
}

export async function readAccessToken(db: Kysely<Database>, appid: string): Promise<AccessTokenRow | null> {
  const row = await db
    .selectFrom('wechatAccessToken')
    .select(['token', 'expiresAt', 'forceRefreshedAt'])
    .where('appid', '=', appid)
    .executeTakeFirst();
  return row
    ? { token: row.token, expiresAt: Number(row.expiresAt), forceRefreshedAt: row.forceRefreshedAt === null ? null : Number(row.forceRefreshedAt) }
    : null;
}

/** Inserts or replaces the appid's row, every column a parameter (no VALUES(): MySQL 8 deprecates it). */
export async function writeAccessToken(db: Kysely<Database>, appid: string, row: AccessTokenRow): Promise<void> {
  await db
    .insertInto('wechatAccessToken')
    .values({ appid, token: row.token, expiresAt: row.expiresAt, forceRefreshedAt: row.forceRefreshedAt })
    .onDuplicateKeyUpdate({ token: row.token, expiresAt: row.expiresAt, forceRefreshedAt: row.forceRefreshedAt })
    .execute();
}

/** Sets expires_at to 0 if the stored token is still `token`; true when it was. Never touches a newer token. */
export async function invalidateAccessToken(db: Kysely<Database>, appid: string, token: string): Promise<boolean> {
  const result = await db
    .updateTable('wechatAccessToken')
    .set({ expiresAt: 0 })
    .where('appid', '=', appid)
    .where('token', '=', token)
    .where('expiresAt', '<>', 0)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) > 0) return true;
  // Already invalidated (by another instance): it is still the one there.
  const row = await db.selectFrom('wechatAccessToken').select('appid').where('appid', '=', appid).where('token', '=', token).executeTakeFirst();
  return row !== undefined;
}

export class NamedLockTimeoutError extends Error {
  override name = 'NamedLockTimeoutError';
}

/**
 * Runs `work` while holding MySQL's named lock `name` (GET_LOCK), which
 * excludes every other connection of every instance. The lock lives on one
 * connection held for the duration (MySQL releases it if that connection
 * dies); `work` may use the pool's others. Gives up with
 * NamedLockTimeoutError after `timeoutSeconds`. Released however `work` ends.
 */
export async function withNamedLock<T>(db: Kysely<Database>, name: string, timeoutSeconds: number, work: () => Promise<T>): Promise<T> {
  if (name.length > 64) throw new Error('a named lock is at most 64 characters');
  return db.connection().execute(async (connection) => {
    const { rows } = await sql<{ acquired: number | null }>`SELECT GET_LOCK(${name}, ${timeoutSeconds}) AS acquired`.execute(connection);
    if (Number(rows[0]?.acquired) !== 1) throw new NamedLockTimeoutError(`could not take the lock ${name} within ${timeoutSeconds} s`);
    try {
      return await work();
    } finally {
      await sql`SELECT RELEASE_LOCK(${name})`.execute(connection);
    }
  });
}
