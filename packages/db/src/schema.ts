import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type {
  CoinSpendTable,
  LeaderboardCountTable,
  LeaderboardEntryTable,
  OperatorSessionTable,
  OperatorTable,
  MailStateTable,
  MailTable,
  PayOrderTable,
  PayPushTable,
  StorageObjectTable,
  StorageUsageTable,
  SubscribeCreditTable,
  WalletBalanceTable,
  WalletChangeTable,
  WalletEntryTable,
} from './schema-game-data.js';

export type * from './schema-game-data.js';

/**
 * The tables as Kysely sees them, in camelCase (CamelCasePlugin maps them to
 * the snake_case columns). Column for column the seed design's Account,
 * AccountAuth and AccountProfile.
 */
export interface Database {
  account: AccountTable;
  accountAuth: AccountAuthTable;
  accountProfile: AccountProfileTable;
  accountSession: AccountSessionTable;
  accountAudit: AccountAuditTable;
  wechatAccessToken: WeChatAccessTokenTable;
  wechatLoginCode: WeChatLoginCodeTable;
  contentRecheck: ContentRecheckTable;
  namedLease: NamedLeaseTable;
  payOrder: PayOrderTable;
  payPush: PayPushTable;
  walletChange: WalletChangeTable;
  walletEntry: WalletEntryTable;
  walletBalance: WalletBalanceTable;
  coinSpend: CoinSpendTable;
  // Cloud saves (0011).
  storageObject: StorageObjectTable;
  storageUsage: StorageUsageTable;
  // Mail and subscribe messages (0012).
  mail: MailTable;
  mailState: MailStateTable;
  subscribeCredit: SubscribeCreditTable;
  // Leaderboards (0013).
  leaderboardEntry: LeaderboardEntryTable;
  leaderboardCount: LeaderboardCountTable;
  // The operator console (0014).
  operator: OperatorTable;
  operatorSession: OperatorSessionTable;
}

/** A lock every instance and node sees (withNamedLock): who holds it, until when. */
export interface NamedLeaseTable {
  name: string;
  holder: string;
  expiresAt: Date;
}

/** 1 valid, 0 disabled. */
export type DataFlag = 0 | 1;

type CreateTime = ColumnType<Date, Date | undefined, never>;

export interface AccountTable {
  accountId: Generated<number>;
  accountTypeId: Generated<number>;
  nickName: Generated<string>;
  avatar: Generated<string>;
  dataFlag: Generated<DataFlag>;
  createTime: CreateTime;
  isDel: Generated<0 | 1>;
  mailBind: Generated<0 | 1>;
  phoneBind: Generated<0 | 1>;
  /** Maintained by the database on every UPDATE (ON UPDATE CURRENT_TIMESTAMP): the revocation feed reads it. */
  updateTime: ColumnType<Date, never, never>;
}

export interface AccountAuthTable {
  accountAuthId: Generated<number>;
  accountId: number;
  /** How this identity signs in, e.g. `wechat_openid:<appid>`. */
  authType: string;
  /** The openid, unionid, phone, ... unique per authType. */
  identifier: string;
  /** For a WeChat openid: the current session_key, encrypted at rest. */
  credential: string | null;
  paymentPassword: string | null;
  /** When the credential was last set. */
  timeStamp: Date | null;
  dataFlag: Generated<DataFlag>;
  createTime: CreateTime;
  isDel: Generated<0 | 1>;
}

export interface AccountProfileTable {
  accountProfileId: Generated<number>;
  accountId: number;
  realName: string | null;
  nickName: Generated<string>;
  phone: string | null;
  email: string | null;
  /** WeChat's convention: 0 unknown, 1 male, 2 female. */
  gender: Generated<number>;
  birthday: Date | null;
  experience: Generated<number>;
  level: Generated<number>;
  registerIp: string | null;
  loginTime: Date | null;
  loginIp: string | null;
  onlineStatus: Generated<number>;
  onlineSeconds: Generated<number>;
  unreadMsgNums: Generated<number>;
  dataFlag: Generated<DataFlag>;
  createTime: CreateTime;
  isDel: Generated<0 | 1>;
  /** The last heartbeat; online seconds count the gaps between heartbeats. */
  heartbeatTime: Date | null;
  /** From WeChat's user info (account.syncWeChatUserInfo). */
  country: ColumnType<string | null, string | null | undefined, string | null>;
  province: ColumnType<string | null, string | null | undefined, string | null>;
  city: ColumnType<string | null, string | null | undefined, string | null>;
  language: ColumnType<string | null, string | null | undefined, string | null>;
  /** When WeChat's user info was last stored. */
  wechatSyncedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** Maintained by the database (ON UPDATE): the change feed reads it. */
  updateTime: ColumnType<Date, never, never>;
}

/** One appid's WeChat access token, shared by every instance. */
export interface WeChatAccessTokenTable {
  appid: string;
  /** As the caller gave it (the API stores it encrypted). */
  token: string;
  /** Epoch milliseconds; 0 once invalidated. */
  expiresAt: number;
  forceRefreshedAt: number | null;
  updateTime: ColumnType<Date, never, never>;
}

/** What jscode2session answered for a code (under its hash), kept a few minutes. */
export interface WeChatLoginCodeTable {
  codeHash: string;
  outcome: 'session' | 'failed';
  openid: string | null;
  unionid: string | null;
  /** Encrypted by the API. */
  sessionKey: string | null;
  /** For 'failed': busy, timeout, unavailable. */
  failure: string | null;
  answeredAt: Date;
  expiresAt: Date;
}

/** A text stored while WeChat could not judge it, waiting for another msg_sec_check. */
export interface ContentRecheckTable {
  recheckId: Generated<number>;
  accountId: number;
  field: string;
  content: string;
  attempts: Generated<number>;
  nextAttemptAt: Date;
  createTime: CreateTime;
}

/** Why a session ended; stable words, shown to operators and in account.export. */
export type SessionRevokedReason = 'logout' | 'logout_all' | 'refresh_token_reused' | 'banned' | 'account_deleted' | 'admin';

/** One login (device). Only hashes of the refresh token's secret are kept. */
export interface AccountSessionTable {
  sessionId: Generated<number>;
  accountId: number;
  /** SHA-256 (hex) of the current refresh token's secret part. */
  refreshTokenHash: string;
  /** The hash the last rotation spent, accepted again within the grace window. */
  previousRefreshTokenHash: string | null;
  /** When the last rotation happened. */
  rotatedAt: Date | null;
  /** Rotations since the chain started (sign-in, or a restart): how far a walk from a spent token may go. */
  refreshRotations: Generated<number>;
  /** The id of the key the current secret was derived under; null while it is the chain's random first. */
  refreshKeyId: ColumnType<string | null, string | null | undefined, string | null>;
  /** SHA-256 (hex) of the wx.login code the session was opened with (unique: a code opens one session); null otherwise. */
  loginCodeHash: ColumnType<string | null, string | null | undefined, string | null>;
  /** The game the session signed in to; null for sessions of the deployment's WeChat app opened before several games were served. */
  appid: ColumnType<string | null, string | null | undefined, string | null>;
  createTime: CreateTime;
  lastUsedAt: Date;
  expiresAt: Date;
  ip: string;
  userAgent: string;
  revokedAt: Date | null;
  revokedReason: SessionRevokedReason | null;
}

export type AuditAction =
  | 'ban'
  | 'unban'
  | 'revoke_sessions'
  | 'delete'
  | 'deliver_order'
  | 'refund_order'
  | 'present_coins'
  | 'cancel_coin_spend'
  | 'remove_leaderboard_entry'
  | 'grant_wallet'
  | 'send_mail';

export interface AccountAuditTable {
  auditId: Generated<number>;
  accountId: number;
  action: AuditAction;
  reason: string;
  /** Who did it: an operator's name, or `player` for a self-deletion. */
  actor: string;
  createTime: CreateTime;
}

export type Account = Selectable<AccountTable>;
export type AccountIdentity = Selectable<AccountAuthTable>;
export type AccountProfile = Selectable<AccountProfileTable>;
export type NewAccountIdentity = Insertable<AccountAuthTable>;
export type AccountSession = Selectable<AccountSessionTable>;
export type AccountAuditEntry = Selectable<AccountAuditTable>;
