import { CamelCasePlugin, CompiledQuery, Kysely, MysqlDialect } from 'kysely';
import type { Database } from './schema.js';
import { createMysqlPool } from './mysql-pool.js';

export interface DatabaseOptions {
  /** Connections kept in the pool; default 10. */
  connectionLimit?: number;
}

/**
 * Kysely over mysql2's callback pool (the one MysqlDialect drives), in UTC,
 * utf8mb4, with big ids as numbers while they fit and strings beyond.
 */
export function createDatabase(databaseUrl: string, options: DatabaseOptions = {}): Kysely<Database> {
  const pool = createMysqlPool(databaseUrl, options);
  return new Kysely<Database>({
    dialect: new MysqlDialect({
      pool,
      // CURRENT_TIMESTAMP (update_time, revoked_at) in UTC like the values
      // mysql2 writes, whatever the server's own time zone.
      onCreateConnection: async (connection) => {
        await connection.executeQuery(CompiledQuery.raw("SET time_zone = '+00:00'"));
      },
    }),
    plugins: [new CamelCasePlugin()],
  });
}
