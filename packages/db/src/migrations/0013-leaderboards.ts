import { sql, type Kysely } from 'kysely';

// Leaderboards (additive to 0012).
//
// - leaderboard_entry: a player's entry on one board of one game in one period (`all` for a board that never resets):
//   the score, when it was reached, the nickname, avatar and metadata as they were at that submission, and the rank
//   key: 20 bytes whose ascending order is the board's order (the score, better first; then the time it was reached,
//   earlier first; then the account id), so the board's order is one index.
// - leaderboard_count: how many entries lie under each prefix of the first 12 bytes of the rank key (one row per
//   level 1..12 and prefix), kept in the transaction of every change. A rank is the sum of the counts of the
//   prefixes before the entry's at each level (at most 255 a level) plus the entries that share its 12 bytes:
//   a few hundred index rows, whatever the board's size, instead of counting every entry before it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE leaderboard_entry (
      appid VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      board VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      period VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      account_id BIGINT UNSIGNED NOT NULL,
      score BIGINT NOT NULL,
      rank_key BINARY(20) NOT NULL,
      reached_at DATETIME(3) NOT NULL,
      nickname VARCHAR(64) NULL,
      avatar_url VARCHAR(512) NULL,
      metadata TEXT NULL,
      update_time DATETIME(3) NOT NULL,
      PRIMARY KEY (appid, board, period, account_id),
      UNIQUE KEY leaderboard_order (appid, board, period, rank_key),
      KEY leaderboard_account (account_id)
    ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci`.execute(db);
  await sql`
    CREATE TABLE leaderboard_count (
      appid VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      board VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      period VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      level TINYINT UNSIGNED NOT NULL,
      prefix VARBINARY(12) NOT NULL,
      entries INT NOT NULL,
      PRIMARY KEY (appid, board, period, level, prefix)
    ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['leaderboard_count', 'leaderboard_entry']) {
    await sql`DROP TABLE ${sql.table(table)}`.execute(db);
  }
}
