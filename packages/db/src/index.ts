export type { Kysely } from 'kysely';
export * from './schema.js';
export { createDatabase, type DatabaseOptions } from './database.js';
export { isDatabaseUnavailableError } from './database-errors.js';
export { parseDatabaseUrl, describeDatabaseUrl, DatabaseUrlError, type DatabaseTarget } from './database-url.js';
export { createDatabaseIfMissing, dropDatabaseIfExists, pingDatabaseServer, DatabaseUnreachableError } from './database-server.js';
export { migrateToLatest, knownMigrations, pendingMigrations, MigrationError } from './migrator.js';
export {
  signInWithIdentity,
  findAccountWithProfile,
  type IdentityKey,
  type IdentitySignIn,
  type SignedInAccount,
  type AccountWithProfile,
} from './accounts.js';
export {
  rotateRefreshToken,
  revokeSession,
  revokeSessionHoldingRefreshHash,
  revokeAccountSessions,
  findSessionState,
  listAccountSessions,
  pruneSessions,
  readRevocationFeed,
  type NewSession,
  type RefreshRotation,
  type RefreshOutcome,
  type SessionState,
  type SessionSummary,
  type RevocationFeedPage,
} from './sessions.js';
export { updateProfile, recordHeartbeat, sweepOffline, countOnline, type ProfileChanges } from './profiles.js';
export {
  setAccountDataFlag,
  recordAudit,
  deleteAccount,
  exportAccount,
  findAccountForOperator,
  type AuditEntry,
  type AccountExport,
  type AccountLookup,
} from './account-lifecycle.js';
export { databaseUrlSchema, loadDatabaseConfig, DEV_DATABASE_URL, type DatabaseConfig } from './config.js';
export { seedDemoAccounts, DEMO_PLAYERS, DEMO_AUTH_TYPE, type SeedResult } from './seed.js';
