import { sql, type Kysely } from 'kysely';

// WeChat in depth, additive to 0003: the shared access token, the login
// codes WeChat already answered (a client's retry must not reach WeChat
// again), nicknames waiting for a content check WeChat could not give, and
// the rest of WeChat's user info on the profile.
const TABLE_OPTIONS = sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per appid: every instance reads the token here and refreshes it
  // under GET_LOCK. The token is stored encrypted (ENCRYPTION_KEY); times
  // are epoch milliseconds, as the AccessTokenManager counts them.
  await sql`
    CREATE TABLE wechat_access_token (
      appid VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      token VARCHAR(2048) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      expires_at BIGINT NOT NULL,
      force_refreshed_at BIGINT NULL,
      update_time DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
      PRIMARY KEY (appid)
    ) ${TABLE_OPTIONS}`.execute(db);

  // What jscode2session answered for a code, for 5 minutes, under the
  // SHA-256 of the code (never the code): the session key is encrypted, no
  // token is ever kept. outcome 'failed' remembers a code that met -1, a
  // timeout or no connection, so that it is never sent to WeChat again.
  await sql`
    CREATE TABLE wechat_login_code (
      code_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      outcome VARCHAR(16) NOT NULL,
      openid VARCHAR(191) NULL,
      unionid VARCHAR(191) NULL,
      session_key VARCHAR(255) NULL,
      failure VARCHAR(32) NULL,
      answered_at DATETIME(3) NOT NULL,
      expires_at DATETIME(3) NOT NULL,
      PRIMARY KEY (code_hash),
      KEY wechat_login_code_expires (expires_at)
    ) ${TABLE_OPTIONS}`.execute(db);

  // A nickname stored while WeChat's msg_sec_check could not judge it:
  // checked again later, and blanked if WeChat then calls it risky.
  await sql`
    CREATE TABLE content_recheck (
      recheck_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
      account_id BIGINT UNSIGNED NOT NULL,
      field VARCHAR(32) NOT NULL,
      content VARCHAR(255) NOT NULL,
      attempts INT UNSIGNED NOT NULL DEFAULT 0,
      next_attempt_at DATETIME(3) NOT NULL,
      create_time DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (recheck_id),
      KEY content_recheck_due (next_attempt_at),
      KEY content_recheck_account (account_id)
    ) ${TABLE_OPTIONS}`.execute(db);

  // The rest of wx.getUserInfo's userInfo (nickname, avatar and gender
  // already have columns), and when it was last synced.
  await sql`
    ALTER TABLE account_profile
      ADD COLUMN country VARCHAR(64) NULL,
      ADD COLUMN province VARCHAR(64) NULL,
      ADD COLUMN city VARCHAR(64) NULL,
      ADD COLUMN language VARCHAR(16) NULL,
      ADD COLUMN wechat_synced_at DATETIME(3) NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE account_profile DROP COLUMN country, DROP COLUMN province, DROP COLUMN city, DROP COLUMN language, DROP COLUMN wechat_synced_at`.execute(
    db,
  );
  await sql`DROP TABLE IF EXISTS content_recheck`.execute(db);
  await sql`DROP TABLE IF EXISTS wechat_login_code`.execute(db);
  await sql`DROP TABLE IF EXISTS wechat_access_token`.execute(db);
}
