import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knownMigrations, migrateToLatest, pendingMigrations } from './migrator.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';

const EXPECTED_COLUMNS = {
  account: ['account_id', 'account_type_id', 'nick_name', 'avatar', 'data_flag', 'create_time', 'is_del', 'mail_bind', 'phone_bind', 'update_time'],
  account_auth: [
    'account_auth_id',
    'account_id',
    'auth_type',
    'identifier',
    'credential',
    'payment_password',
    'time_stamp',
    'data_flag',
    'create_time',
    'is_del',
  ],
  account_profile: [
    'account_profile_id',
    'account_id',
    'real_name',
    'nick_name',
    'phone',
    'email',
    'gender',
    'birthday',
    'experience',
    'level',
    'register_ip',
    'login_time',
    'login_ip',
    'online_status',
    'online_seconds',
    'unread_msg_nums',
    'data_flag',
    'create_time',
    'is_del',
    'heartbeat_time',
    'country',
    'province',
    'city',
    'language',
    'wechat_synced_at',
    'update_time',
  ],
};

describe('migrations', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
  });
  afterAll(() => database.drop());

  it('apply from an empty database, then again as a no-op', async () => {
    expect(await migrateToLatest(database.db)).toEqual(knownMigrations());
    expect(knownMigrations().slice(0, 3)).toEqual(['0001-account-tables', '0002-sessions', '0003-rate-limits']);
    expect(await migrateToLatest(database.db)).toEqual([]);
  });

  it("create the three account tables with exactly the designed columns (plus 0002's update_time and heartbeat_time, 0004's user info, 0005's update_time), utf8mb4_unicode_ci", async () => {
    const schema = database.url.slice(database.url.lastIndexOf('/') + 1);
    const { rows } = await sql<{ tableName: string; columnName: string }>`
      SELECT table_name AS table_name, column_name AS column_name FROM information_schema.columns
      WHERE table_schema = ${schema} AND table_name IN ('account', 'account_auth', 'account_profile')
      ORDER BY table_name, ordinal_position`.execute(database.db);
    const columns: Record<string, string[]> = {};
    for (const row of rows) (columns[row.tableName] ??= []).push(row.columnName);
    expect(columns).toEqual(EXPECTED_COLUMNS);

    const tables = await sql<{ tableCollation: string }>`
      SELECT table_collation AS table_collation FROM information_schema.tables
      WHERE table_schema = ${schema} AND table_name IN ('account', 'account_auth', 'account_profile')`.execute(database.db);
    expect(tables.rows.map((table) => table.tableCollation)).toEqual(Array(3).fill('utf8mb4_unicode_ci'));
  });

  it('make (auth_type, identifier) unique', async () => {
    const schema = database.url.slice(database.url.lastIndexOf('/') + 1);
    const { rows } = await sql<{ columnName: string }>`
      SELECT column_name AS column_name FROM information_schema.statistics
      WHERE table_schema = ${schema} AND table_name = 'account_auth' AND non_unique = 0 AND index_name <> 'PRIMARY'
      ORDER BY seq_in_index`.execute(database.db);
    expect(rows.map((row) => row.columnName)).toEqual(['auth_type', 'identifier']);
  });
});

describe('pending migrations', () => {
  let empty: TestDatabase;
  beforeAll(async () => {
    empty = await createTestDatabase({ migrate: false });
  });
  afterAll(() => empty.drop());

  it('lists every known migration on an empty database, and none once migrated', async () => {
    expect(await pendingMigrations(empty.db)).toEqual(knownMigrations());
    expect(knownMigrations()[0]).toBe('0001-account-tables');
    await migrateToLatest(empty.db);
    expect(await pendingMigrations(empty.db)).toEqual([]);
  });
});
