import { createConnection, type Connection } from 'mysql2/promise';
import { parseDatabaseUrl, type DatabaseTarget } from './database-url.js';

/** No MySQL/MariaDB answers at the URL's host and port, or it refused our user. */
export class DatabaseUnreachableError extends Error {
  override name = 'DatabaseUnreachableError';
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET']);

/** Connects to the server named by the URL without selecting its database. */
async function connectToServer(target: DatabaseTarget): Promise<Connection> {
  try {
    return await createConnection({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      connectTimeout: 5_000,
    });
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    const where = `${target.host}:${target.port}`;
    if (UNREACHABLE_CODES.has(code)) {
      throw new DatabaseUnreachableError(
        `No MySQL or MariaDB answers at ${where} (${code}): start one (docker compose -f docker/compose.dev.yaml up -d, or see the README, "A database for development") or point DATABASE_URL at one.`,
      );
    }
    if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR') {
      throw new DatabaseUnreachableError(
        `The database server at ${where} refused user '${target.user}': fix the user or password in DATABASE_URL (README, "A database for development").`,
      );
    }
    throw error;
  }
}

/** Connects to the URL's server and disconnects: throws DatabaseUnreachableError when none answers. */
export async function pingDatabaseServer(databaseUrl: string): Promise<void> {
  const connection = await connectToServer(parseDatabaseUrl(databaseUrl));
  await connection.end();
}

/** Creates the URL's database (utf8mb4, utf8mb4_unicode_ci) unless it exists. Returns whether it made it. */
export async function createDatabaseIfMissing(databaseUrl: string): Promise<boolean> {
  const target = parseDatabaseUrl(databaseUrl);
  const connection = await connectToServer(target);
  try {
    const [rows] = await connection.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = ?', [target.database]);
    if ((rows as unknown[]).length > 0) return false;
    await connection.query(`CREATE DATABASE IF NOT EXISTS ${connection.escapeId(target.database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    return true;
  } finally {
    await connection.end();
  }
}

/** Drops the URL's database if it exists. Returns whether there was one. */
export async function dropDatabaseIfExists(databaseUrl: string): Promise<boolean> {
  const target = parseDatabaseUrl(databaseUrl);
  const connection = await connectToServer(target);
  try {
    const [result] = await connection.query(`DROP DATABASE IF EXISTS ${connection.escapeId(target.database)}`);
    return (result as { warningStatus?: number }).warningStatus === 0;
  } finally {
    await connection.end();
  }
}
