import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

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
  createTime: CreateTime;
  lastUsedAt: Date;
  expiresAt: Date;
  ip: string;
  userAgent: string;
  revokedAt: Date | null;
  revokedReason: SessionRevokedReason | null;
}

export type AuditAction = 'ban' | 'unban' | 'revoke_sessions' | 'delete';

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
