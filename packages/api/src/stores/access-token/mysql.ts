import { invalidateAccessToken, readAccessToken, withNamedLock, writeAccessToken, type Database, type Kysely } from '@minigate/db';
import type { AccessTokenStore } from '@minigate/wechat';

/** How long an instance waits for another one's refresh before it gives up; the refresh itself is one or two stable_token calls. */
const LOCK_TIMEOUT_SECONDS = 10;

/**
 * The access token in the `wechat_access_token` table, one row per appid,
 * refreshed under a named lease (a row every instance and every Galera node sees, so
 * every instance of the deployment waits for the one refreshing).
 */
export function createDatabaseAccessTokenStore(db: Kysely<Database>, options: { lockTimeoutSeconds?: number } = {}): AccessTokenStore {
  const timeout = options.lockTimeoutSeconds ?? LOCK_TIMEOUT_SECONDS;
  return {
    read: (appid) => readAccessToken(db, appid),
    write: (appid, record) => writeAccessToken(db, appid, record),
    compareAndInvalidate: (appid, token) => invalidateAccessToken(db, appid, token),
    withLock: (appid, work) => withNamedLock(db, `minigate:wechat_access_token:${appid}`.slice(0, 64), timeout, work),
  };
}
