import { createDatabase, parseDatabaseUrl } from '@minigate/db';
import { createTestDatabase, type TestDatabase } from '@minigate/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchPoolUse } from './db-pool-use.js';

let database: TestDatabase;
let other: TestDatabase;
beforeAll(async () => {
  [database, other] = await Promise.all([createTestDatabase({ migrate: false }), createTestDatabase({ migrate: false })]);
});
afterAll(async () => {
  await Promise.all([database.drop(), other.drop()]);
});

describe('watchPoolUse', () => {
  it('reads the pools behind Kysely that reach its database, as they hand out, hold and queue connections', async () => {
    const watch = watchPoolUse(parseDatabaseUrl(database.url));
    const db = createDatabase(database.url, { connectionLimit: 1 });
    try {
      expect(watch.read()).toBeNull();
      await sql`SELECT 1`.execute(db);
      await sql`SELECT 1`.execute(other.db);
      expect(watch.read()).toEqual({ inUse: 0, idle: 1, queued: 0, limit: 1 });

      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let holding!: () => void;
      const isHeld = new Promise<void>((resolve) => (holding = resolve));
      const transaction = db.transaction().execute(async (trx) => {
        await sql`SELECT 1`.execute(trx);
        holding();
        await held;
      });
      await isHeld;
      const waiting = sql`SELECT 1`.execute(db);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(watch.read()).toEqual({ inUse: 1, idle: 0, queued: 1, limit: 1 });
      release();
      await Promise.all([transaction, waiting]);
      expect(watch.read()).toEqual({ inUse: 0, idle: 1, queued: 0, limit: 1 });

      // The test database's own pool (limit 20) reaches the same database once it is used.
      await sql`SELECT 1`.execute(database.db);
      expect(watch.read()).toMatchObject({ limit: 21 });
    } finally {
      await db.destroy();
      watch.close();
    }
  });

  it('forgets a pool once it is closed, and stops watching when closed', async () => {
    const watch = watchPoolUse(parseDatabaseUrl(other.url));
    const db = createDatabase(other.url, { connectionLimit: 3 });
    await sql`SELECT 1`.execute(db);
    expect(watch.read()).toMatchObject({ limit: 3 });
    await db.destroy();
    expect(watch.read()).toBeNull();
    watch.close();
    await sql`SELECT 1`.execute(other.db);
    expect(watch.read()).toBeNull();
  });
});
