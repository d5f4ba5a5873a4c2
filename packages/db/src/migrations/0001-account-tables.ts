import { sql, type Kysely } from 'kysely';

// The seed design's three account tables, column for column. DDL is written
// once for MySQL 8 and MariaDB 10.11 alike: utf8mb4_unicode_ci everywhere,
// DATETIME(3) in UTC, no RETURNING.
const TABLE_OPTIONS = sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE account (
      account_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
      account_type_id INT UNSIGNED NOT NULL DEFAULT 1,
      nick_name VARCHAR(64) NOT NULL DEFAULT '',
      avatar VARCHAR(512) NOT NULL DEFAULT '',
      data_flag TINYINT UNSIGNED NOT NULL DEFAULT 1,
      create_time DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      is_del TINYINT UNSIGNED NOT NULL DEFAULT 0,
      mail_bind TINYINT UNSIGNED NOT NULL DEFAULT 0,
      phone_bind TINYINT UNSIGNED NOT NULL DEFAULT 0,
      PRIMARY KEY (account_id)
    ) ${TABLE_OPTIONS}`.execute(db);

  await sql`
    CREATE TABLE account_auth (
      account_auth_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
      account_id BIGINT UNSIGNED NOT NULL,
      auth_type VARCHAR(64) NOT NULL,
      identifier VARCHAR(191) NOT NULL,
      credential VARCHAR(255) NULL,
      payment_password VARCHAR(255) NULL,
      time_stamp DATETIME(3) NULL,
      data_flag TINYINT UNSIGNED NOT NULL DEFAULT 1,
      create_time DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      is_del TINYINT UNSIGNED NOT NULL DEFAULT 0,
      PRIMARY KEY (account_auth_id),
      UNIQUE KEY account_auth_type_identifier (auth_type, identifier),
      KEY account_auth_account (account_id)
    ) ${TABLE_OPTIONS}`.execute(db);

  await sql`
    CREATE TABLE account_profile (
      account_profile_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
      account_id BIGINT UNSIGNED NOT NULL,
      real_name VARCHAR(64) NULL,
      nick_name VARCHAR(64) NOT NULL DEFAULT '',
      phone VARCHAR(32) NULL,
      email VARCHAR(255) NULL,
      gender TINYINT UNSIGNED NOT NULL DEFAULT 0,
      birthday DATE NULL,
      experience BIGINT UNSIGNED NOT NULL DEFAULT 0,
      level INT UNSIGNED NOT NULL DEFAULT 1,
      register_ip VARCHAR(45) NULL,
      login_time DATETIME(3) NULL,
      login_ip VARCHAR(45) NULL,
      online_status TINYINT UNSIGNED NOT NULL DEFAULT 0,
      online_seconds BIGINT UNSIGNED NOT NULL DEFAULT 0,
      unread_msg_nums INT UNSIGNED NOT NULL DEFAULT 0,
      data_flag TINYINT UNSIGNED NOT NULL DEFAULT 1,
      create_time DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      is_del TINYINT UNSIGNED NOT NULL DEFAULT 0,
      PRIMARY KEY (account_profile_id),
      UNIQUE KEY account_profile_account (account_id)
    ) ${TABLE_OPTIONS}`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS account_profile`.execute(db);
  await sql`DROP TABLE IF EXISTS account_auth`.execute(db);
  await sql`DROP TABLE IF EXISTS account`.execute(db);
}
