import { sql, type Kysely } from 'kysely';

// Mail and subscribe messages (additive to 0011).
//
// - mail: one message, to one player (account_id) or to every player of a game (account_id NULL, appid set: a
//   broadcast, stored once). A broadcast reaches the players of the game when it was sent, and with
//   reach_new_players also those who first sign in to the game afterwards. Attachments are JSON
//   ({ currencies, items }); subscribe_template: also send this WeChat subscribe message (and what came of it).
// - mail_state: a player's state of one message (read, claimed, deleted), written when the player first acts on it,
//   so a broadcast costs no row per player up front.
// - subscribe_credit: the sends of a WeChat subscribe message template a player allowed (one per "accept"), per game.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE mail (
      mail_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      account_id BIGINT UNSIGNED NULL,
      appid VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
      reach_new_players TINYINT UNSIGNED NOT NULL DEFAULT 0,
      title VARCHAR(100) NOT NULL,
      body TEXT NOT NULL,
      attachments TEXT NULL,
      subscribe_template VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
      subscribe_outcome VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
      sent_by VARCHAR(64) NOT NULL,
      create_time DATETIME(3) NOT NULL,
      expire_time DATETIME(3) NOT NULL,
      KEY mail_account (account_id, mail_id),
      KEY mail_game (appid, account_id, expire_time),
      KEY mail_created (create_time)
    ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci`.execute(db);
  await sql`
    CREATE TABLE mail_state (
      mail_id BIGINT UNSIGNED NOT NULL,
      account_id BIGINT UNSIGNED NOT NULL,
      read_at DATETIME(3) NULL,
      claimed_at DATETIME(3) NULL,
      deleted_at DATETIME(3) NULL,
      PRIMARY KEY (mail_id, account_id),
      KEY mail_state_account (account_id)
    ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci`.execute(db);
  await sql`
    CREATE TABLE subscribe_credit (
      account_id BIGINT UNSIGNED NOT NULL,
      appid VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      template_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      credits INT UNSIGNED NOT NULL DEFAULT 0,
      update_time DATETIME(3) NOT NULL,
      PRIMARY KEY (account_id, appid, template_id)
    ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['subscribe_credit', 'mail_state', 'mail']) {
    await sql`DROP TABLE ${sql.table(table)}`.execute(db);
  }
}
