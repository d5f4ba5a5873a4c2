import { findLoginCode, findLoginCodeUse, pruneLoginCodes, rememberLoginCode, type Database, type Kysely, type LoginCodeOutcome } from '@minigate/db';
import type { CachedLoginCode, LoginCodeCache } from './login-code-cache.js';

const FAILURES = new Set(['busy', 'timeout', 'unavailable']);

function entryOf(found: LoginCodeOutcome): CachedLoginCode {
  if (found.outcome === 'session') {
    const { openid, unionid, sessionKey, answeredAt } = found;
    return { outcome: 'session', openid, unionid, encryptedSessionKey: sessionKey, answeredAt: answeredAt.getTime() };
  }
  const failure = FAILURES.has(found.failure) ? (found.failure as 'busy' | 'timeout' | 'unavailable') : 'unavailable';
  return { outcome: 'failed', failure, answeredAt: found.answeredAt.getTime() };
}

/** The cache in the `wechat_login_code` table (the default; Redis when REDIS_URL is set). */
export function createDatabaseLoginCodeCache(db: Kysely<Database>, now: () => number = Date.now): LoginCodeCache {
  return {
    async get(codeHash) {
      const found = await findLoginCode(db, codeHash, new Date(now()));
      return found ? entryOf(found) : null;
    },
    async getWithSession(codeHash) {
      const { session, remembered } = await findLoginCodeUse(db, codeHash, new Date(now()));
      return { cached: remembered ? entryOf(remembered) : null, session };
    },
    async put(codeHash, entry, ttlSeconds) {
      const row: LoginCodeOutcome =
        entry.outcome === 'session'
          ? {
              outcome: 'session',
              openid: entry.openid,
              unionid: entry.unionid,
              sessionKey: entry.encryptedSessionKey,
              answeredAt: new Date(entry.answeredAt),
            }
          : { outcome: 'failed', failure: entry.failure, answeredAt: new Date(entry.answeredAt) };
      await rememberLoginCode(db, codeHash, row, new Date(now() + ttlSeconds * 1000));
    },
    prune: () => pruneLoginCodes(db, new Date(now())),
  };
}
