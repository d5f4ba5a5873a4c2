import { findSessionState, type Database, type Kysely } from '@minigate/db';
import type { RevocationCache, RevocationVerdict } from './revocation-cache.js';

export type SessionVerdict = Exclude<RevocationVerdict, 'unknown'>;

export interface SessionGuard {
  /** Whether a valid access token's session and account may still call; memory only, unless the cache cannot vouch. */
  check(accountId: number, sessionId: number): SessionVerdict | Promise<SessionVerdict>;
}

/** The revocation cache first; the session's row (one primary-key read) only when the cache answers 'unknown'. */
export function createSessionGuard(deps: { cache: RevocationCache; db: Kysely<Database> }): SessionGuard {
  return {
    check(accountId, sessionId) {
      const cached = deps.cache.check(accountId, sessionId);
      if (cached !== 'unknown') return cached;
      return findSessionState(deps.db, sessionId).then((state): SessionVerdict => {
        // A pruned session row: it was revoked or expired long ago.
        if (!state || state.accountId !== accountId) return 'session_revoked';
        if (state.isDel !== 0) return 'account_deleted';
        if (state.dataFlag !== 1) return 'account_disabled';
        return state.revoked ? 'session_revoked' : 'live';
      });
    },
  };
}
