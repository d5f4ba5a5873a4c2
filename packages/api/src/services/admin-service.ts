import {
  countOnline,
  findAccountForOperator,
  listAccountSessions,
  recordAudit,
  revokeAccountSessions,
  revokeSession,
  setAccountDataFlag,
  transactionWithRetry,
  type AccountLookup,
  type Database,
  type Kysely,
  type SessionSummary,
} from '@minigate/db';

/** An operator's action on an account: who and why are kept in account_audit. */
export interface OperatorAction {
  accountId: number;
  reason: string;
  /** The operator's name. */
  by: string;
}

/** What `pnpm admin` does. Each change is audited; revocations reach every instance through the feed. */
export interface AdminService {
  ban(action: OperatorAction): Promise<{ found: boolean; sessionsRevoked: number }>;
  unban(action: OperatorAction): Promise<{ found: boolean }>;
  /** Ends one session of the account, or all of them when `sessionId` is absent. */
  revokeSessions(action: OperatorAction & { sessionId?: number }): Promise<{ sessionsRevoked: number }>;
  find(idOrIdentifier: string): Promise<AccountLookup | undefined>;
  sessions(accountId: number): Promise<SessionSummary[]>;
  /** Players with a heartbeat within HEARTBEAT_TIMEOUT. */
  online(): Promise<number>;
}

export function createAdminService(deps: { db: Kysely<Database>; heartbeatTimeoutSeconds: number; now?: () => number }): AdminService {
  const now = deps.now ?? Date.now;
  return {
    ban: ({ accountId, reason, by }) => setAccountDataFlag(deps.db, 0, { accountId, action: 'ban', reason, actor: by }),
    unban: async ({ accountId, reason, by }) => ({
      found: (await setAccountDataFlag(deps.db, 1, { accountId, action: 'unban', reason, actor: by })).found,
    }),
    // One transaction (the audit row with the revocation), which locks the
    // sessions before it stamps revoked_at: a revocation that waited on a
    // row lock is stamped after the wait, so the feed every instance reads
    // still sees it when it commits (see account-lifecycle.ts).
    revokeSessions: ({ accountId, reason, by, sessionId }) =>
      transactionWithRetry(deps.db, async (trx) => {
        let sessions = trx.selectFrom('accountSession').select('sessionId').where('accountId', '=', accountId);
        if (sessionId !== undefined) sessions = sessions.where('sessionId', '=', sessionId);
        await sessions.forUpdate().execute();
        const sessionsRevoked =
          sessionId === undefined
            ? await revokeAccountSessions(trx, accountId, 'admin')
            : Number(await revokeSession(trx, accountId, sessionId, 'admin'));
        if (sessionsRevoked > 0) {
          await recordAudit(trx, {
            accountId,
            action: 'revoke_sessions',
            reason: sessionId === undefined ? reason : `session ${sessionId}: ${reason}`,
            actor: by,
          });
        }
        return { sessionsRevoked };
      }),
    find: (idOrIdentifier) => findAccountForOperator(deps.db, idOrIdentifier),
    sessions: (accountId) => listAccountSessions(deps.db, accountId),
    online: () => countOnline(deps.db, new Date(now() - deps.heartbeatTimeoutSeconds * 1000)),
  };
}
