import type { Kysely } from 'kysely';
import { prepared } from './prepared.js';
import type { Database } from './schema.js';

// The statements of a login, compiled once (see prepared): a returning
// player's login runs three of them, a new player's seven (five in a transaction).

export const insertSession = prepared(
  (
    db: Kysely<Database>,
    accountId: number,
    refreshTokenHash: string,
    createTime: Date,
    lastUsedAt: Date,
    expiresAt: Date,
    ip: string,
    userAgent: string,
    loginCodeHash: string | null,
    appid: string | null,
  ) =>
    db.insertInto('accountSession').values({
      accountId,
      refreshTokenHash,
      previousRefreshTokenHash: null,
      rotatedAt: null,
      createTime,
      lastUsedAt,
      expiresAt,
      ip,
      userAgent,
      revokedAt: null,
      revokedReason: null,
      loginCodeHash,
      appid,
    }),
);

export const updateCredential = prepared((db: Kysely<Database>, credential: string | null, timeStamp: Date | null, accountAuthId: number) =>
  db.updateTable('accountAuth').set({ credential, timeStamp }).where('accountAuthId', '=', accountAuthId),
);

/** The identity's new credential and the profile's login, in one statement, while identity and account are live. */
export const recordReturningLogin = prepared(
  (db: Kysely<Database>, credential: string | null, timeStamp: Date, loginTime: Date, loginIp: string, accountAuthId: number) =>
    db
      .updateTable(['accountAuth', 'accountProfile', 'account'])
      .set('accountAuth.credential', credential)
      .set('accountAuth.timeStamp', timeStamp)
      .set('accountProfile.loginTime', loginTime)
      .set('accountProfile.loginIp', loginIp)
      .whereRef('accountProfile.accountId', '=', 'accountAuth.accountId')
      .whereRef('account.accountId', '=', 'accountAuth.accountId')
      .where('accountAuth.accountAuthId', '=', accountAuthId)
      .where('accountAuth.isDel', '=', 0)
      .where('account.isDel', '=', 0),
);

export const insertIdentity = prepared(
  (db: Kysely<Database>, accountId: number, authType: string, identifier: string, credential: string | null, timeStamp: Date, createTime: Date) =>
    db.insertInto('accountAuth').values({ accountId, authType, identifier, credential, paymentPassword: null, timeStamp, createTime }),
);

/** The row holding the key, live or not, with its account's state: the one read that decides a login's path. */
export const identityWithAccount = prepared((db: Kysely<Database>, authType: string, identifier: string) =>
  db
    .selectFrom('accountAuth')
    .leftJoin('account', 'account.accountId', 'accountAuth.accountId')
    .select([
      'accountAuth.accountAuthId',
      'accountAuth.accountId',
      'accountAuth.credential',
      'accountAuth.timeStamp',
      'accountAuth.isDel as identityIsDel',
      'account.dataFlag',
      'account.nickName',
      'account.avatar',
      'account.isDel as accountIsDel',
    ])
    .where('accountAuth.authType', '=', authType)
    .where('accountAuth.identifier', '=', identifier),
);

export const insertAccountRow = prepared((db: Kysely<Database>, createTime: Date, nickName: string, avatar: string) =>
  db.insertInto('account').values({ createTime, nickName, avatar }),
);

export const insertProfile = prepared(
  (
    db: Kysely<Database>,
    accountId: number,
    nickName: string,
    gender: number,
    level: number,
    registerIp: string,
    loginTime: Date,
    loginIp: string,
    createTime: Date,
  ) =>
    db.insertInto('accountProfile').values({
      accountId,
      realName: null,
      phone: null,
      email: null,
      birthday: null,
      nickName,
      gender,
      level,
      registerIp,
      loginTime,
      loginIp,
      createTime,
    }),
);

export const updateLogin = prepared((db: Kysely<Database>, loginTime: Date, loginIp: string, accountId: number) =>
  db.updateTable('accountProfile').set({ loginTime, loginIp }).where('accountId', '=', accountId),
);
