import { sql, type Kysely, type Transaction } from 'kysely';
import { isWriteConflictError } from './database-errors.js';
import { countDeltas, COUNTED_KEY_BYTES, leaderboardRankKey, rankRanges, type LeaderboardOrder } from './leaderboard-keys.js';
import type { Database } from './schema.js';
import { retryOnWriteConflict } from './write-conflict-retry.js';

/** One board of one game in one period. */
export interface BoardPeriod {
  appid: string;
  board: string;
  period: string;
}

export interface LeaderboardRow {
  accountId: number;
  score: number;
  rankKey: Buffer;
  reachedAt: Date;
  nickname: string | null;
  avatarUrl: string | null;
  /** JSON text, or null. */
  metadata: string | null;
}

export type ScoreOperator = 'best' | 'set' | 'incr';

export interface ScoreSubmission {
  accountId: number;
  score: number;
  operator: ScoreOperator;
  /** JSON text, or null. */
  metadata: string | null;
  at: Date;
}

export type SubmitOutcome =
  /** The entry did not change (a `best` that did not beat it, a `set` of the same score, an `incr` of 0). */
  | { kind: 'kept'; entry: LeaderboardRow }
  /** previousKey: the entry's key before, null when it is new. */
  | { kind: 'changed'; entry: LeaderboardRow; previousKey: Buffer | null }
  /** The score the operator would give lies outside the board's range: nothing changed. */
  | { kind: 'out-of-range'; score: number }
  /** No such account (deleted). */
  | { kind: 'no-account' };

/** Another submission of the same player changed the entry between our read and our write: run again. */
class EntryMovedError extends Error {}

const ENTRY_COLUMNS = ['accountId', 'score', 'rankKey', 'reachedAt', 'nickname', 'avatarUrl', 'metadata'] as const;

function better(order: LeaderboardOrder, score: number, than: number): boolean {
  return order.sort === 'desc' ? score > than : score < than;
}

const toRow = (row: LeaderboardRow): LeaderboardRow => ({ ...row, accountId: Number(row.accountId), score: Number(row.score) });

/**
 * Applies a submission under the board's operator, in one transaction: the
 * entry (with the nickname and avatar the account has now) and the count
 * table together. No locking read: the entry is written only if it is still
 * what was read (its rank key), else the submission runs again, so players
 * never wait on each other's gaps and a player's racing submissions apply
 * one after the other.
 */
export function submitLeaderboardScore(
  db: Kysely<Database>,
  where: BoardPeriod,
  order: LeaderboardOrder,
  submission: ScoreSubmission,
): Promise<SubmitOutcome> {
  return retryOnWriteConflict(
    () =>
      db
        .transaction()
        .setIsolationLevel('read committed')
        .execute(async (trx) => {
          const found = await trx
            .selectFrom('account as a')
            .leftJoin('leaderboardEntry as e', (join) =>
              join
                .onRef('e.accountId', '=', 'a.accountId')
                .on('e.appid', '=', where.appid)
                .on('e.board', '=', where.board)
                .on('e.period', '=', where.period),
            )
            .select(['a.nickName', 'a.avatar', 'e.score', 'e.rankKey', 'e.reachedAt', 'e.nickname', 'e.avatarUrl', 'e.metadata'])
            .where('a.accountId', '=', submission.accountId)
            .where('a.isDel', '=', 0)
            .executeTakeFirst();
          if (!found) return { kind: 'no-account' } as const;
          const old =
            found.rankKey !== null && found.score !== null && found.reachedAt !== null
              ? toRow({
                  accountId: submission.accountId,
                  score: found.score,
                  rankKey: found.rankKey,
                  reachedAt: found.reachedAt,
                  nickname: found.nickname,
                  avatarUrl: found.avatarUrl,
                  metadata: found.metadata,
                })
              : null;
          let score = submission.score;
          if (old) {
            if (submission.operator === 'best' && !better(order, score, old.score)) return { kind: 'kept', entry: old } as const;
            if (submission.operator === 'set' && score === old.score) return { kind: 'kept', entry: old } as const;
            if (submission.operator === 'incr') {
              if (score === 0) return { kind: 'kept', entry: old } as const;
              score = old.score + score;
            }
          }
          if (!Number.isSafeInteger(score) || score < order.minScore || score > order.maxScore) return { kind: 'out-of-range', score } as const;
          const entry: LeaderboardRow = {
            accountId: submission.accountId,
            score,
            rankKey: leaderboardRankKey(order, score, submission.at.getTime(), submission.accountId),
            reachedAt: submission.at,
            nickname: found.nickName === '' ? null : found.nickName,
            avatarUrl: found.avatar === '' ? null : found.avatar,
            metadata: submission.metadata,
          };
          const values = { ...entry, updateTime: submission.at };
          if (old) {
            const updated = await trx
              .updateTable('leaderboardEntry')
              .set(values)
              .where('appid', '=', where.appid)
              .where('board', '=', where.board)
              .where('period', '=', where.period)
              .where('accountId', '=', submission.accountId)
              .where('rankKey', '=', old.rankKey)
              .executeTakeFirst();
            if (Number(updated.numUpdatedRows) !== 1) throw new EntryMovedError();
          } else {
            await trx
              .insertInto('leaderboardEntry')
              .values({ ...where, ...values })
              .execute();
          }
          await applyCounts(trx, where, countDeltas(old?.rankKey ?? null, entry.rankKey));
          return { kind: 'changed', entry, previousKey: old?.rankKey ?? null } as const;
        }),
    {
      attempts: 12,
      // A racing submission of the same player: the entry moved, or both inserted it (1062).
      retryOn: (error) => error instanceof EntryMovedError || isWriteConflictError(error) || (error as { errno?: number }).errno === 1062,
    },
  );
}

/** Adds the deltas to the count table, in their order (by level, then prefix). */
async function applyCounts(trx: Transaction<Database>, where: BoardPeriod, deltas: readonly { level: number; prefix: Buffer; entries: number }[]) {
  if (deltas.length === 0) return;
  await trx
    .insertInto('leaderboardCount')
    .values(deltas.map((delta) => ({ ...where, level: delta.level, prefix: delta.prefix, entries: delta.entries })))
    .onDuplicateKeyUpdate({ entries: sql`entries + VALUES(entries)` })
    .execute();
}

/** The player's entry, or undefined. */
export async function findLeaderboardEntry(db: Kysely<Database>, where: BoardPeriod, accountId: number): Promise<LeaderboardRow | undefined> {
  const row = await db
    .selectFrom('leaderboardEntry')
    .select(ENTRY_COLUMNS)
    .where('appid', '=', where.appid)
    .where('board', '=', where.board)
    .where('period', '=', where.period)
    .where('accountId', '=', accountId)
    .executeTakeFirst();
  return row && toRow(row);
}

/**
 * How many entries come before `key` (its rank is one more), and how many
 * the board holds: the counts of the prefixes before it at each of the 12
 * levels, and the few entries that share its first 12 bytes; never the
 * entries before it one by one.
 */
export async function countLeaderboardBefore(db: Kysely<Database>, where: BoardPeriod, key: Buffer): Promise<{ before: number; total: number }> {
  const ranges = rankRanges(key);
  const inRanges = ranges.length
    ? sql.join(
        ranges.map((range) => sql`(level = ${range.level} AND prefix >= ${range.from} AND prefix < ${range.below})`),
        sql` OR `,
      )
    : sql`FALSE`;
  const sameCounted = Buffer.from(key.subarray(0, COUNTED_KEY_BYTES));
  const { rows } = await sql<{ counted: string | number | null; tied: string | number; total: string | number | null }>`
    SELECT
      (SELECT SUM(entries) FROM leaderboard_count
        WHERE appid = ${where.appid} AND board = ${where.board} AND period = ${where.period} AND (${inRanges})) AS counted,
      (SELECT COUNT(*) FROM leaderboard_entry
        WHERE appid = ${where.appid} AND board = ${where.board} AND period = ${where.period}
          AND rank_key >= ${sameCounted} AND rank_key < ${key}) AS tied,
      (SELECT SUM(entries) FROM leaderboard_count
        WHERE appid = ${where.appid} AND board = ${where.board} AND period = ${where.period} AND level = 1) AS total`.execute(db);
  const row = rows[0];
  return { before: Number(row?.counted ?? 0) + Number(row?.tied ?? 0), total: Number(row?.total ?? 0) };
}

/** How many entries the board holds. */
export async function countLeaderboardEntries(db: Kysely<Database>, where: BoardPeriod): Promise<number> {
  const row = await db
    .selectFrom('leaderboardCount')
    .select((eb) => eb.fn.sum<string | number | null>('entries').as('total'))
    .where('appid', '=', where.appid)
    .where('board', '=', where.board)
    .where('period', '=', where.period)
    .where('level', '=', 1)
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}

/** Up to `limit` entries in the board's order, after the key `after` (null: from the top). */
export async function leaderboardPage(db: Kysely<Database>, where: BoardPeriod, after: Buffer | null, limit: number): Promise<LeaderboardRow[]> {
  let query = db
    .selectFrom('leaderboardEntry')
    .select(ENTRY_COLUMNS)
    .where('appid', '=', where.appid)
    .where('board', '=', where.board)
    .where('period', '=', where.period);
  if (after) query = query.where('rankKey', '>', after);
  const rows = await query.orderBy('rankKey').limit(limit).execute();
  return rows.map(toRow);
}

/** Up to `above` entries just before `key` (nearest first) and `below` just after it, in two index reads of one statement. */
export async function leaderboardNeighbours(
  db: Kysely<Database>,
  where: BoardPeriod,
  key: Buffer,
  above: number,
  below: number,
): Promise<{ above: LeaderboardRow[]; below: LeaderboardRow[] }> {
  const columns = sql`account_id, score, rank_key, reached_at, nickname, avatar_url, metadata`;
  const board = sql`appid = ${where.appid} AND board = ${where.board} AND period = ${where.period}`;
  const { rows } = await sql<LeaderboardRow & { side: 'above' | 'below' }>`
    (SELECT ${columns}, 'above' AS side FROM leaderboard_entry WHERE ${board} AND rank_key < ${key} ORDER BY rank_key DESC LIMIT ${Math.max(above, 0)})
    UNION ALL
    (SELECT ${columns}, 'below' AS side FROM leaderboard_entry WHERE ${board} AND rank_key > ${key} ORDER BY rank_key ASC LIMIT ${Math.max(below, 0)})`.execute(
    db,
  );
  return {
    above: rows
      .filter((row) => row.side === 'above')
      .map(withoutSide)
      .sort((a, b) => Buffer.compare(b.rankKey, a.rankKey)),
    below: rows
      .filter((row) => row.side === 'below')
      .map(withoutSide)
      .sort((a, b) => Buffer.compare(a.rankKey, b.rankKey)),
  };
}

const withoutSide = ({ side: _side, ...row }: LeaderboardRow & { side: string }): LeaderboardRow => toRow(row);

/** The entries of these players (any order; a player without one is left out). */
export async function leaderboardEntriesOf(db: Kysely<Database>, where: BoardPeriod, accountIds: readonly number[]): Promise<LeaderboardRow[]> {
  if (accountIds.length === 0) return [];
  const rows = await db
    .selectFrom('leaderboardEntry')
    .select(ENTRY_COLUMNS)
    .where('appid', '=', where.appid)
    .where('board', '=', where.board)
    .where('period', '=', where.period)
    .where('accountId', 'in', accountIds)
    .execute();
  return rows.map(toRow);
}
