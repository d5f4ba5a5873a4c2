import { findLoginCode, pruneLoginCodes, rememberLoginCode, type Database, type Kysely, type LoginCodeOutcome } from '@minigate/db';

/**
 * What jscode2session answered for a code (its session key encrypted), or
 * that it failed in a way that may have consumed the code; shared by every
 * instance. Keyed by a hash of the code, never the code.
 */
export type CachedLoginCode =
  | { outcome: 'session'; openid: string; unionid: string | null; encryptedSessionKey: string; answeredAt: number }
  | { outcome: 'failed'; failure: 'busy' | 'timeout' | 'unavailable'; answeredAt: number };

export interface LoginCodeCache {
  get(codeHash: string): Promise<CachedLoginCode | null>;
  /** Keeps the entry `ttlSeconds`; an entry already there for the hash stays (the first outcome wins). */
  put(codeHash: string, entry: CachedLoginCode, ttlSeconds: number): Promise<void>;
  /** Deletes expired entries (a store whose entries expire by themselves has none); returns how many. */
  prune?(): Promise<number>;
}

const FAILURES = new Set(['busy', 'timeout', 'unavailable']);

/** The cache in the `wechat_login_code` table (the default; Redis when REDIS_URL is set). */
export function createDatabaseLoginCodeCache(db: Kysely<Database>, now: () => number = Date.now): LoginCodeCache {
  return {
    async get(codeHash) {
      const found = await findLoginCode(db, codeHash, new Date(now()));
      if (!found) return null;
      if (found.outcome === 'session') {
        const { openid, unionid, sessionKey, answeredAt } = found;
        return { outcome: 'session', openid, unionid, encryptedSessionKey: sessionKey, answeredAt: answeredAt.getTime() };
      }
      const failure = FAILURES.has(found.failure) ? (found.failure as 'busy' | 'timeout' | 'unavailable') : 'unavailable';
      return { outcome: 'failed', failure, answeredAt: found.answeredAt.getTime() };
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
