import { sql, type Kysely } from 'kysely';

// Refresh tokens as a chain (additive to 0005): each rotation's secret is
// derived from the one it spends under a server key, so a session row needs
// only how many rotations its chain has had (how far a walk from a spent
// token may go) and the id of the key its current secret was minted under.
// A server of the previous release ignores both and keeps rotating with
// random secrets; the new one then only misses reuse it cannot prove.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE account_session
      ADD COLUMN refresh_rotations INT UNSIGNED NOT NULL DEFAULT 0,
      ADD COLUMN refresh_key_id CHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE account_session DROP COLUMN refresh_key_id, DROP COLUMN refresh_rotations`.execute(db);
}
