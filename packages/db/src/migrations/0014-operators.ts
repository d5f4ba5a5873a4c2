import { sql, type Kysely } from 'kysely';

// The operator console's own accounts (additive to 0013). Operators are not players: they have a name, a role
// (viewer, support, finance, admin) and an argon2id password hash, and sign in to the console only.
//
// - operator: one operator; disabled ones cannot sign in.
// - operator_session: one console login: the SHA-256 of the cookie's token (the token itself is never stored),
//   when it ends, when it was last used, from where; revoked_at when logged out.
// - account_session gets indexes on create_time and last_used_at for the dashboards.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE operator (
      operator_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      name VARCHAR(64) NOT NULL,
      role VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      password_hash VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      disabled TINYINT UNSIGNED NOT NULL DEFAULT 0,
      create_time DATETIME(3) NOT NULL,
      update_time DATETIME(3) NOT NULL,
      UNIQUE KEY operator_name (name)
    ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci`.execute(db);
  await sql`
    CREATE TABLE operator_session (
      session_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      operator_id BIGINT UNSIGNED NOT NULL,
      token_hash BINARY(32) NOT NULL,
      create_time DATETIME(3) NOT NULL,
      last_used_at DATETIME(3) NOT NULL,
      expires_at DATETIME(3) NOT NULL,
      revoked_at DATETIME(3) NULL,
      ip VARCHAR(45) NOT NULL,
      user_agent VARCHAR(255) NOT NULL,
      UNIQUE KEY operator_session_token (token_hash),
      KEY operator_session_operator (operator_id)
    ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci`.execute(db);
  // The console's dashboards: logins a minute (sessions made), players online (sessions used lately).
  await sql`ALTER TABLE account_session ADD KEY account_session_created (create_time), ADD KEY account_session_used (last_used_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE account_session DROP KEY account_session_created, DROP KEY account_session_used`.execute(db);
  for (const table of ['operator_session', 'operator']) {
    await sql`DROP TABLE ${sql.table(table)}`.execute(db);
  }
}
