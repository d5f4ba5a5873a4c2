import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { statementWithRetry } from './write-conflict-retry.js';

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
  await statementWithRetry(db, () =>
    db
      .insertInto('wechatAccessToken')
      .values({ appid, token: row.token, expiresAt: row.expiresAt, forceRefreshedAt: row.forceRefreshedAt })
      .onDuplicateKeyUpdate({ token: row.token, expiresAt: row.expiresAt, forceRefreshedAt: row.forceRefreshedAt })
      .execute(),
  );
}

/** Sets expires_at to 0 if the stored token is still `token`; true when it was. Never touches a newer token. */
export async function invalidateAccessToken(db: Kysely<Database>, appid: string, token: string): Promise<boolean> {
  const result = await statementWithRetry(db, () =>
    db
      .updateTable('wechatAccessToken')
      .set({ expiresAt: 0 })
      .where('appid', '=', appid)
      .where('token', '=', token)
      .where('expiresAt', '<>', 0)
      .executeTakeFirst(),
  );
  if (Number(result.numUpdatedRows) > 0) return true;
  // Already invalidated (by another instance): it is still the one there.
  const row = await db.selectFrom('wechatAccessToken').select('appid').where('appid', '=', appid).where('token', '=', token).executeTakeFirst();
  return row !== undefined;
}
