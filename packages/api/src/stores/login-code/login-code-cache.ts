import type { LoginCodeSession } from '@minigate/db';

/**
 * What is remembered of a code beside the session it opened (which names
 * the code itself, account_session.login_code_hash): that its jscode2session
 * failed in a way that may have consumed it. Keyed by a hash of the code,
 * never the code. `session` entries were written by servers before
 * migration 0007, which kept every exchanged code here: a code they
 * exchanged is used.
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
  /**
   * The entry and the session the code opened, read together (a cache in
   * the database: one statement for both). A cache without it (Redis): the
   * login service reads the session beside get().
   */
  getWithSession?(codeHash: string): Promise<{ cached: CachedLoginCode | null; session: LoginCodeSession | null }>;
}
