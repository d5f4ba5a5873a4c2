// Its own entry point (@minigate/db/mysql-pool): the package's main entry
// must not name mysql2's types, which the client's bundled d.ts cannot parse.
import { createPool, type Pool } from 'mysql2';
import type { DatabaseOptions } from './database.js';
import { parseDatabaseUrl } from './database-url.js';

/**
 * A mysql2 callback pool on DATABASE_URL, UTC and utf8mb4: Kysely's, and the
 * one rate-limiter-flexible's MySQL store takes.
 */
export function createMysqlPool(databaseUrl: string, options: DatabaseOptions = {}): Pool {
  const target = parseDatabaseUrl(databaseUrl);
  return createPool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    connectionLimit: options.connectionLimit ?? 10,
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    supportBigNumbers: true,
    dateStrings: false,
    connectTimeout: 5_000,
  });
}
