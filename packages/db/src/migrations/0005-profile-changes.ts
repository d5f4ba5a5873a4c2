import { sql, type Kysely } from 'kysely';

// Profile changes join the change feed (additive to 0004): any UPDATE of a
// profile row, a game's own SQL included, moves update_time, which the
// database maintains itself. Every instance reads the feed once a second
// and forgets the account views it holds for the accounts that changed.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE account_profile
      ADD COLUMN update_time DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
      ADD KEY account_profile_update_time (update_time)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE account_profile DROP KEY account_profile_update_time, DROP COLUMN update_time`.execute(db);
}
