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
}

export type Account = Selectable<AccountTable>;
export type AccountIdentity = Selectable<AccountAuthTable>;
export type AccountProfile = Selectable<AccountProfileTable>;
export type NewAccountIdentity = Insertable<AccountAuthTable>;
