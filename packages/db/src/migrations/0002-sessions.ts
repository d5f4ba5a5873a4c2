import { sql, type Kysely } from 'kysely';

// Sessions and the account's life, additive to 0001 so that a server of the
// previous release keeps running beside this one during a rolling deploy.
const TABLE_OPTIONS = sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per login (device). The refresh token itself is never stored:
  // only the SHA-256 of its secret part, and the previous one for the
  // reuse-detection grace window. Hex in ascii_bin: compared byte for byte.
  await sql`
    CREATE TABLE account_session (
      session_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
      account_id BIGINT UNSIGNED NOT NULL,
      refresh_token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      previous_refresh_token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
      rotated_at DATETIME(3) NULL,
      create_time DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      last_used_at DATETIME(3) NOT NULL,
      expires_at DATETIME(3) NOT NULL,
      ip VARCHAR(45) NOT NULL DEFAULT '',
      user_agent VARCHAR(255) NOT NULL DEFAULT '',
      revoked_at DATETIME(3) NULL,
      revoked_reason VARCHAR(32) NULL,
      PRIMARY KEY (session_id),
      KEY account_session_account (account_id),
      KEY account_session_revoked (revoked_at),
      KEY account_session_expires (expires_at)
    ) ${TABLE_OPTIONS}`.execute(db);

  // What operators (and players deleting themselves) did to an account.
  await sql`
    CREATE TABLE account_audit (
      audit_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
      account_id BIGINT UNSIGNED NOT NULL,
      action VARCHAR(32) NOT NULL,
      reason VARCHAR(255) NOT NULL DEFAULT '',
      actor VARCHAR(64) NOT NULL,
      create_time DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (audit_id),
      KEY account_audit_account (account_id)
    ) ${TABLE_OPTIONS}`.execute(db);

  // The change feed every instance polls: any UPDATE of an account row,
  // including an operator's hand-written "UPDATE account SET data_flag = 0",
  // moves update_time, which the database maintains itself.
  await sql`
    ALTER TABLE account
      ADD COLUMN update_time DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
      ADD KEY account_update_time (update_time)`.execute(db);

  // The last heartbeat: online seconds count the gaps between heartbeats, and
  // a player whose heartbeats stop is swept offline.
  await sql`
    ALTER TABLE account_profile
      ADD COLUMN heartbeat_time DATETIME(3) NULL,
      ADD KEY account_profile_online (online_status, heartbeat_time)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE account_profile DROP KEY account_profile_online, DROP COLUMN heartbeat_time`.execute(db);
  await sql`ALTER TABLE account DROP KEY account_update_time, DROP COLUMN update_time`.execute(db);
  await sql`DROP TABLE IF EXISTS account_audit`.execute(db);
  await sql`DROP TABLE IF EXISTS account_session`.execute(db);
}
