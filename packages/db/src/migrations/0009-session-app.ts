import { sql, type Kysely } from 'kysely';

// Several games on one deployment (additive to 0008): the appid of the game
// a session signed in to, so a refresh issues tokens for the same game and
// the session's calls use that game's session key. NULL for sessions opened
// before (and by a server of the previous release): they belong to the
// deployment's WeChat app, the only one such a server served.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE account_session ADD COLUMN appid VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE account_session DROP COLUMN appid`.execute(db);
}
