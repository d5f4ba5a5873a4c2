import { sql, type Kysely } from 'kysely';

// Named leases (additive to 0007): the lock every instance takes before it
// refreshes WeChat's access token, as a row instead of GET_LOCK, which
// Galera does not replicate (each node would grant its own) and TiDB does
// not implement across servers. A row names its holder and when the lease
// lapses, so a holder that died frees it by itself.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE named_lease (
      name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
      holder CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      expires_at DATETIME(3) NOT NULL
    ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE named_lease`.execute(db);
}
