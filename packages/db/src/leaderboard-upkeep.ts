import { sql, type Kysely, type Transaction } from 'kysely';
import { countDeltas, COUNTED_KEY_BYTES } from './leaderboard-keys.js';
import type { BoardPeriod } from './leaderboards.js';
import type { Database } from './schema.js';
import { transactionWithRetry } from './write-conflict-retry.js';

/** An entry taken off its board: where it was, and its key (for the sorted sets that index it). */
export interface RemovedLeaderboardEntry extends BoardPeriod {
  accountId: number;
  rankKey: Buffer;
}

/**
 * Takes a player's entries off, in the caller's transaction: those on one
 * board (of every period, or of one), or (no board) every board of every
 * game. The counts behind them shrink with them, so the ranks behind close up.
 */
export async function removeLeaderboardEntriesIn(
  trx: Transaction<Database>,
  filter: { accountId: number; appid?: string; board?: string; period?: string },
): Promise<RemovedLeaderboardEntry[]> {
  let query = trx
    .selectFrom('leaderboardEntry')
    .select(['appid', 'board', 'period', 'accountId', 'rankKey'])
    .where('accountId', '=', filter.accountId);
  if (filter.appid !== undefined) query = query.where('appid', '=', filter.appid);
  if (filter.board !== undefined) query = query.where('board', '=', filter.board);
  if (filter.period !== undefined) query = query.where('period', '=', filter.period);
  const rows = (await query.forUpdate().execute()).map((row) => ({ ...row, accountId: Number(row.accountId) }));
  for (const row of rows) {
    await trx
      .deleteFrom('leaderboardEntry')
      .where('appid', '=', row.appid)
      .where('board', '=', row.board)
      .where('period', '=', row.period)
      .where('accountId', '=', row.accountId)
      .execute();
    const deltas = countDeltas(row.rankKey, null);
    await trx
      .insertInto('leaderboardCount')
      .values(deltas.map((delta) => ({ appid: row.appid, board: row.board, period: row.period, ...delta })))
      .onDuplicateKeyUpdate({ entries: sql`entries + VALUES(entries)` })
      .execute();
  }
  return rows;
}

/** removeLeaderboardEntriesIn in a transaction of its own. */
export function removeLeaderboardEntries(
  db: Kysely<Database>,
  filter: { accountId: number; appid?: string; board?: string; period?: string },
): Promise<RemovedLeaderboardEntry[]> {
  return transactionWithRetry(db, (trx) => removeLeaderboardEntriesIn(trx, filter));
}

/**
 * Recomputes a board's count table from its entries (a repair, and what a
 * bulk load of entries calls after it): twelve grouped reads of the board.
 */
export async function rebuildLeaderboardCounts(db: Kysely<Database>, where: BoardPeriod): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('leaderboardCount')
      .where('appid', '=', where.appid)
      .where('board', '=', where.board)
      .where('period', '=', where.period)
      .execute();
    for (let level = 1; level <= COUNTED_KEY_BYTES; level++) {
      await sql`
        INSERT INTO leaderboard_count (appid, board, period, level, prefix, entries)
        SELECT appid, board, period, ${level}, LEFT(rank_key, ${level}), COUNT(*)
        FROM leaderboard_entry
        WHERE appid = ${where.appid} AND board = ${where.board} AND period = ${where.period}
        GROUP BY LEFT(rank_key, ${level})`.execute(trx);
    }
  });
}

/** A page of a board's keys in its order, after `after` (null: from the top), with when each was last written. */
export async function leaderboardKeysPage(
  db: Kysely<Database>,
  where: BoardPeriod,
  after: Buffer | null,
  limit: number,
): Promise<Array<{ accountId: number; rankKey: Buffer }>> {
  let query = db
    .selectFrom('leaderboardEntry')
    .select(['accountId', 'rankKey'])
    .where('appid', '=', where.appid)
    .where('board', '=', where.board)
    .where('period', '=', where.period);
  if (after) query = query.where('rankKey', '>', after);
  const rows = await query.orderBy('rankKey').limit(limit).execute();
  return rows.map((row) => ({ accountId: Number(row.accountId), rankKey: row.rankKey }));
}

/** The keys of a board's entries written at or after `since` (a sorted set rebuilt while players submitted catches up with them). */
export async function leaderboardKeysWrittenSince(
  db: Kysely<Database>,
  where: BoardPeriod,
  since: Date,
): Promise<Array<{ accountId: number; rankKey: Buffer }>> {
  const rows = await db
    .selectFrom('leaderboardEntry')
    .select(['accountId', 'rankKey'])
    .where('appid', '=', where.appid)
    .where('board', '=', where.board)
    .where('period', '=', where.period)
    .where('updateTime', '>=', since)
    .execute();
  return rows.map((row) => ({ accountId: Number(row.accountId), rankKey: row.rankKey }));
}

/** A player's entry as their data export lists it. */
export interface LeaderboardEntryExport {
  appid: string;
  board: string;
  period: string;
  score: number;
  reachedAt: Date;
  nickname: string | null;
  avatarUrl: string | null;
  /** JSON text, or null. */
  metadata: string | null;
  /** Its place in the board's order (for its rank). */
  rankKey: Buffer;
}

/** Every entry of a player, on every board of every game and period. */
export async function listAccountLeaderboardEntries(db: Kysely<Database>, accountId: number): Promise<LeaderboardEntryExport[]> {
  const rows = await db
    .selectFrom('leaderboardEntry')
    .select(['appid', 'board', 'period', 'score', 'reachedAt', 'nickname', 'avatarUrl', 'metadata', 'rankKey'])
    .where('accountId', '=', accountId)
    .orderBy('appid')
    .orderBy('board')
    .orderBy('period')
    .execute();
  return rows.map((row) => ({ ...row, score: Number(row.score) }));
}
