import { sql, type Kysely } from 'kysely';

// rate-limiter-flexible's MySQL store, made here so that the library is told
// never to create databases or tables (tableCreated: true). Its statements
// write the columns in this order: key, points, expire (epoch ms).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE rate_limit (
      \`key\` VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      points INT NOT NULL DEFAULT 0,
      expire BIGINT UNSIGNED NULL,
      PRIMARY KEY (\`key\`),
      KEY rate_limit_expire (expire)
    ) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS rate_limit`.execute(db);
}
