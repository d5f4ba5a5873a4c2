import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** What changed since the last read of the feed. */
export interface RevocationFeedPage {
  /** The database's clock when it answered: the next read starts from here (less an overlap). */
  databaseNow: Date;
  revokedSessionIds: number[];
  /** Accounts whose row changed, with whether they may still sign in. */
  accounts: Array<{ accountId: number; state: 'active' | 'disabled' | 'deleted' }>;
  /**
   * Every change to an account or its profile (after `from` only), with the
   * database's time of it: what account views held in memory must forget.
   */
  changes: Array<{ accountId: number; at: Date }>;
  /** Broadcast mail stored after `from` (read with the profile changes): every player's unread count may have moved. */
  broadcasts: number[];
}

interface FeedRow {
  kind: 'now' | 'session' | 'account' | 'profile' | 'broadcast';
  id: number | string;
  at: Date;
  state: number;
}

const ACCOUNT_STATE = ['active', 'disabled', 'deleted'] as const;

/**
 * One indexed query for the whole feed: sessions revoked, and account and
 * profile rows updated after `from` (by the database's clock; update_time
 * moves on any UPDATE, an operator's or a game's hand-written SQL included). Without `from` (an
 * instance starting), it reads back `lookbackSeconds` and only the blocked
 * accounts.
 */
export async function readRevocationFeed(
  db: Kysely<Database>,
  from: Date | null,
  lookbackSeconds: number,
  options: { profileChanges?: boolean } = {},
): Promise<RevocationFeedPage> {
  const since = from ? sql`${from}` : sql`NOW(3) - INTERVAL ${lookbackSeconds} SECOND`;
  const blockedOnly = from ? sql`` : sql`AND (data_flag <> 1 OR is_del <> 0)`;
  const { rows } = await sql<FeedRow>`
    SELECT 'now' AS kind, 0 AS id, NOW(3) AS at, 0 AS state
    UNION ALL
    SELECT 'session', session_id, revoked_at, 0 FROM account_session WHERE revoked_at > ${since}
    UNION ALL
    SELECT 'account', account_id, update_time, IF(is_del <> 0, 2, IF(data_flag <> 1, 1, 0))
      FROM account WHERE update_time > ${since} ${blockedOnly}
    ${
      from && options.profileChanges
        ? sql`UNION ALL SELECT 'profile', account_id, update_time, 0 FROM account_profile WHERE update_time > ${since}
      UNION ALL SELECT 'broadcast', mail_id, create_time, 0 FROM mail WHERE create_time > ${since} AND account_id IS NULL`
        : sql``
    }`.execute(db);
  const page: RevocationFeedPage = { databaseNow: new Date(), revokedSessionIds: [], accounts: [], changes: [], broadcasts: [] };
  for (const row of rows) {
    if (row.kind === 'now') page.databaseNow = new Date(row.at);
    else if (row.kind === 'session') page.revokedSessionIds.push(Number(row.id));
    else if (row.kind === 'broadcast') page.broadcasts.push(Number(row.id));
    else {
      if (row.kind === 'account') page.accounts.push({ accountId: Number(row.id), state: ACCOUNT_STATE[Number(row.state)] ?? 'disabled' });
      if (from) page.changes.push({ accountId: Number(row.id), at: new Date(row.at) });
    }
  }
  return page;
}
