import { sql, type Kysely } from 'kysely';

// A login code is exchanged once (additive to 0006): the SHA-256 of the
// wx.login code a session was opened with (never the code), written by the
// session's own INSERT. Its unique key is what keeps one code to one
// session: of two instances racing on one code, the loser's INSERT fails and
// it answers with the winner's session (a retry) or CODE_USED. NULL for
// sessions opened otherwise, and for those of a server of the previous
// release, which ignores the column. A NULL never meets the unique key.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE account_session
      ADD COLUMN login_code_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
      ADD UNIQUE KEY account_session_login_code (login_code_hash)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE account_session DROP KEY account_session_login_code, DROP COLUMN login_code_hash`.execute(db);
}
