import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { createDatabase } from '../database.js';
import { createDatabaseIfMissing, dropDatabaseIfExists } from '../database-server.js';
import { migrateToLatest } from '../migrator.js';
import { TEST_DATABASE_SERVER } from './config.js';

export { TEST_DATABASE_SERVER };

export interface TestDatabase {
  url: string;
  db: Kysely<Database>;
  /** Drops the database; call it in afterAll. */
  drop(): Promise<void>;
}

/** A fresh, uniquely named database of the test's own, migrated unless told otherwise. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const url = `${TEST_DATABASE_SERVER}/minigate_test_${randomBytes(6).toString('hex')}`;
  await createDatabaseIfMissing(url);
  const db = createDatabase(url, { connectionLimit: 20 });
  if (options.migrate ?? true) await migrateToLatest(db);
  return {
    url,
    db,
    async drop() {
      await db.destroy();
      await dropDatabaseIfExists(url);
    },
  };
}
