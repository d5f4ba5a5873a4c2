import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import * as accountTables from './migrations/0001-account-tables.js';
import * as sessions from './migrations/0002-sessions.js';
import * as rateLimits from './migrations/0003-rate-limits.js';
import * as wechat from './migrations/0004-wechat.js';
import * as profileChanges from './migrations/0005-profile-changes.js';
import * as sessionChain from './migrations/0006-session-chain.js';
import * as loginCodeOnSession from './migrations/0007-login-code-on-session.js';
import * as namedLease from './migrations/0008-named-lease.js';
import * as sessionApp from './migrations/0009-session-app.js';
import * as payments from './migrations/0010-payments.js';
import * as cloudSaves from './migrations/0011-cloud-saves.js';
import * as mail from './migrations/0012-mail.js';
import * as leaderboards from './migrations/0013-leaderboards.js';
import * as operators from './migrations/0014-operators.js';

/**
 * Every migration, in order. Listed in code rather than read from a folder
 * so that the bundled server carries them. Schema changes are additive
 * (expand now, contract in a later release) so that old and new servers can
 * run side by side during a rolling deploy.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001-account-tables': accountTables,
  '0002-sessions': sessions,
  '0003-rate-limits': rateLimits,
  '0004-wechat': wechat,
  '0005-profile-changes': profileChanges,
  '0006-session-chain': sessionChain,
  '0007-login-code-on-session': loginCodeOnSession,
  '0008-named-lease': namedLease,
  '0009-session-app': sessionApp,
  '0010-payments': payments,
  '0011-cloud-saves': cloudSaves,
  '0012-mail': mail,
  '0013-leaderboards': leaderboards,
  '0014-operators': operators,
};

function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: 'minigate_migration',
    migrationLockTableName: 'minigate_migration_lock',
  });
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Applies every pending migration; returns the names it applied (none when up to date). */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return applied(await createMigrator(db).migrateToLatest());
}

function applied({ error, results }: MigrationResultSet): string[] {
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationError(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

/** The names of every migration this code knows, in order. */
export function knownMigrations(): string[] {
  return Object.keys(MIGRATIONS).sort();
}

/** The migrations this code needs that the database has not applied (all of them on an empty database). */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const migrations = await createMigrator(db).getMigrations();
  return migrations.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name);
}
