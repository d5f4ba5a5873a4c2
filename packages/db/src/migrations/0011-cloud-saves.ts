import { sql, type Kysely } from 'kysely';

// Cloud saves (additive to 0010).
//
// - storage_object: one saved object per account, collection and key: its value (JSON text, utf8mb4), its version
//   (changed by every write; a write conditioned on it is a conditional UPDATE), its size in bytes (the value's UTF-8
//   length, what the byte quota counts), when it was made and last written.
// - storage_usage: what each player's objects count and weigh, kept in the same transaction as every write. Every
//   write of a player locks this row first, so quotas are exact and a player's writes never deadlock on each other.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE storage_object (
      account_id BIGINT UNSIGNED NOT NULL,
      collection VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      object_key VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      value MEDIUMTEXT NOT NULL,
      version VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      size_bytes INT UNSIGNED NOT NULL,
      create_time DATETIME(3) NOT NULL,
      update_time DATETIME(3) NOT NULL,
      PRIMARY KEY (account_id, collection, object_key)
    ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci`.execute(db);
  await sql`
    CREATE TABLE storage_usage (
      account_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
      objects INT UNSIGNED NOT NULL,
      bytes BIGINT UNSIGNED NOT NULL
    ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['storage_usage', 'storage_object']) {
    await sql`DROP TABLE ${sql.table(table)}`.execute(db);
  }
}
