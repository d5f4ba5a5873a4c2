export type { Kysely } from 'kysely';
export * from './schema.js';
export { createDatabase, type DatabaseOptions } from './database.js';
export { isDatabaseUnavailableError, isWriteConflictError, isRetryableTransactionError } from './database-errors.js';
export { retryOnWriteConflict, transactionWithRetry, type WriteConflictRetry } from './write-conflict-retry.js';
export { parseDatabaseUrl, describeDatabaseUrl, DatabaseUrlError, type DatabaseTarget } from './database-url.js';
export { createDatabaseIfMissing, dropDatabaseIfExists, pingDatabaseServer, DatabaseUnreachableError } from './database-server.js';
export { migrateToLatest, knownMigrations, pendingMigrations, MigrationError } from './migrator.js';
export { signInWithIdentity, LoginCodeTakenError, type IdentityKey, type IdentitySignIn, type SignedInAccount } from './accounts.js';
export { findAccountWithProfile, type AccountWithProfile } from './account-with-profile.js';
export {
  findLiveIdentityOwner,
  linkIdentity,
  unlinkIdentity,
  type IdentityLink,
  type IdentityLinkOutcome,
  type IdentityUnlink,
  type IdentityUnlinkOutcome,
} from './identities.js';
export {
  rotateRefreshToken,
  revokeReusedSession,
  restartSessionRefresh,
  findSessionState,
  listAccountSessions,
  type NewSession,
  type RefreshRotation,
  type RefreshOutcome,
  type SessionState,
  type SessionSummary,
} from './sessions.js';
export { revokeSession, revokeSessionHoldingRefreshHash, revokeAccountSessions, pruneSessions } from './session-ends.js';
export { readRevocationFeed, type RevocationFeedPage } from './revocation-feed.js';
export { updateProfile, recordHeartbeat, sweepOffline, countOnline, type ProfileChanges } from './profiles.js';
export {
  setAccountDataFlag,
  recordAudit,
  deleteAccount,
  deleteAccountWithData,
  exportAccount,
  findAccountForOperator,
  type AuditEntry,
  type AccountExport,
  type AccountLookup,
} from './account-lifecycle.js';
export {
  databaseUrlSchema,
  loadDatabaseConfig,
  DEV_DATABASE_URL,
  databaseSettings,
  databaseToolSettings,
  problemsOf,
  setting,
  settingDocs,
  toolDatabaseUrl,
  type DatabaseConfig,
  type SettingDoc,
} from './config.js';
export { seedDemoAccounts, DEMO_PLAYERS, DEMO_AUTH_TYPE, type SeedResult } from './seed.js';
export { readAccessToken, writeAccessToken, invalidateAccessToken, type AccessTokenRow } from './wechat-access-tokens.js';
export { withNamedLock, NamedLockTimeoutError } from './named-lock.js';
export {
  findLoginCode,
  findLoginCodeUse,
  findLoginCodeSession,
  rememberLoginCode,
  pruneLoginCodes,
  type LoginCodeOutcome,
  type LoginCodeSession,
  type LoginCodeUse,
} from './wechat-login-codes.js';
export {
  findIdentityCredential,
  bindPhoneIdentity,
  applyWeChatUserInfo,
  findWeChatUserInfo,
  type IdentityCredential,
  type PhoneBinding,
  type PhoneBindingOutcome,
  type WeChatUserInfoChanges,
} from './wechat-identities.js';
export {
  queueContentRecheck,
  dueContentRechecks,
  finishContentRecheck,
  postponeContentRecheck,
  countContentRechecks,
  clearNicknameIf,
  type ContentRecheck,
} from './content-rechecks.js';
export {
  applyWalletChange,
  applyWalletChangeIn,
  readWallet,
  readWalletHistory,
  WalletInsufficientError,
  type WalletChange,
  type WalletChangeOutcome,
  type WalletHistoryEntry,
  type WalletHoldings,
  type WalletLine,
} from './wallet.js';
export {
  deliverPayOrder,
  findPayOrder,
  finishPush,
  insertPayOrder,
  listPayOrders,
  listOrderPushes,
  refundPayOrder,
  type RefundOutcome,
  recordPush,
  type DeliveryOutcome,
  type PayOrder,
} from './pay-orders.js';
export { openCoinSpend, settleCoinSpend, findCoinSpend, type CoinSpend } from './coin-spends.js';
// Cloud saves.
export {
  deleteAccountStorageIn,
  deleteStorageObject,
  StorageAccountGoneError,
  StorageQuotaError,
  StorageVersionConflictError,
  writeStorageObjects,
  type StorageConflict,
  type StorageQuota,
  type StorageWrite,
  type StorageWritten,
} from './storage-objects.js';
export { listAccountStorage, listStorageObjects, readStorageObject, readStorageUsage, type StorageObject } from './storage-reads.js';
export { grantExperience, type Progress } from './experience.js';
export {
  broadcastsSince,
  claimableMailIds,
  claimMail,
  countUnreadMail,
  findPlayerMail,
  insertMail,
  listMail,
  markMail,
  recordMailSubscribeOutcome,
  type ClaimOutcome,
  type MailAttachments,
  type MailRow,
  type NewMail,
} from './mail.js';
export {
  addSubscribeCredits,
  findGameOpenid,
  gameHasPlayers,
  readSubscribeCredits,
  settleSubscribeCredit,
  takeSubscribeCredit,
} from './subscribe-credits.js';
export { leaderboardRankKey, accountOfRankKey, RANK_KEY_SCORE_RANGE, type LeaderboardOrder } from './leaderboard-keys.js';
export {
  submitLeaderboardScore,
  findLeaderboardEntry,
  countLeaderboardBefore,
  countLeaderboardEntries,
  leaderboardPage,
  leaderboardNeighbours,
  leaderboardEntriesOf,
  type BoardPeriod,
  type LeaderboardRow,
  type ScoreOperator,
  type ScoreSubmission,
  type SubmitOutcome,
} from './leaderboards.js';
export {
  removeLeaderboardEntries,
  removeLeaderboardEntriesIn,
  rebuildLeaderboardCounts,
  leaderboardKeysPage,
  leaderboardKeysWrittenSince,
  type RemovedLeaderboardEntry,
} from './leaderboard-upkeep.js';
export {
  createOperator,
  findOperatorByName,
  countOperators,
  createOperatorSession,
  findLiveOperatorSession,
  touchOperatorSession,
  revokeOperatorSession,
  OperatorNameTakenError,
  type OperatorRecord,
  type LiveOperatorSession,
} from './operators.js';
export { findPlayers, countActiveSessionsByGame, countLoginsByMinute, revenueByDay, type PlayerMatch } from './operator-reads.js';
