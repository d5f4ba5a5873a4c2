import { sql, type Kysely, type Transaction } from 'kysely';
import type { AuditAction, Database, DataFlag } from './schema.js';
import { lockLiveAccount } from './live-account.js';
import { revokeAccountSessions } from './session-ends.js';
import { listAccountSessions, type SessionSummary } from './sessions.js';
import { deleteAccountMailIn, listAccountMail, type MailExport } from './mail-account-data.js';
import { deleteAccountStorageIn } from './storage-objects.js';
import { listAccountLeaderboardEntries, removeLeaderboardEntriesIn, type LeaderboardEntryExport } from './leaderboard-upkeep.js';
import { listAccountStorage, type StorageObject } from './storage-reads.js';
import { transactionWithRetry } from './write-conflict-retry.js';

export interface AuditEntry {
  accountId: number;
  action: AuditAction;
  reason: string;
  actor: string;
}

// Every write here that the revocation feed reads (account.update_time,
// account_profile.update_time, account_session.revoked_at) is stamped by the
// database when its statement STARTS, and the feed reads rows by that stamp,
// reaching back 5 s before its last read. A statement that waited on a row
// lock, or ran before another statement of its transaction waited, would
// commit with a stamp older than that overlap, and no instance would ever
// read it. So each transaction here first takes every row lock it needs
// (SELECT ... FOR UPDATE, in the order account, profile, identities,
// sessions, as before), writes what carries no stamp (the audit row), and
// only then writes the stamped rows, on rows it already holds, and commits:
// the stamps are taken after every wait, a few milliseconds before the
// commit, however long the locks took. This holds alike on one server and on
// Galera (locks are local to a node there; a conflict with another node's
// write fails the COMMIT with 1213, and transactionWithRetry runs the whole
// transaction again, with fresh stamps). No GET_LOCK, no table lock.

/** Locks the account's session rows (all of them: the rows a revocation of them all scans), or the one named. */
async function lockSessions(trx: Transaction<Database>, accountId: number, sessionId?: number): Promise<void> {
  let query = trx.selectFrom('accountSession').select('sessionId').where('accountId', '=', accountId);
  if (sessionId !== undefined) query = query.where('sessionId', '=', sessionId);
  await query.forUpdate().execute();
}

/**
 * Disables (0) or re-enables (1) an account, records who did it and why,
 * and on a ban ends every session, in one transaction. Returns false when
 * there is no such live account. Sessions of a ban stop on every instance
 * through the revocation feed, within its bound however long the ban
 * waited on locks (see above); so does a ban written directly in SQL,
 * through account.update_time, when it waits on no lock.
 */
export async function setAccountDataFlag(
  db: Kysely<Database>,
  dataFlag: DataFlag,
  entry: AuditEntry,
): Promise<{ found: boolean; sessionsRevoked: number }> {
  return transactionWithRetry(db, async (trx) => {
    if (!(await lockLiveAccount(trx, entry.accountId))) return { found: false, sessionsRevoked: 0 };
    if (dataFlag === 0) await lockSessions(trx, entry.accountId);
    await trx.insertInto('accountAudit').values(entry).execute();
    // Stamped from here on, on rows already held.
    await trx.updateTable('account').set({ dataFlag }).where('accountId', '=', entry.accountId).execute();
    const sessionsRevoked = dataFlag === 0 ? await revokeAccountSessions(trx, entry.accountId, 'banned') : 0;
    return { found: true, sessionsRevoked };
  });
}

export async function recordAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await db.insertInto('accountAudit').values(entry).execute();
}

/**
 * A player's deletion (PIPL): the account is soft-deleted (is_del), every
 * personal field blanked, every identity released (its identifier
 * rewritten, so the same WeChat user logging in later gets a new, empty
 * account), every session ended and its IP and user agent blanked, in one
 * transaction, and every cloud save removed. False when the account was already gone. Every row is
 * locked before the first stamped write (see above): other instances see
 * the deletion, and forget the account's view, within the feed's bound
 * however long it waited.
 */
export async function deleteAccount(db: Kysely<Database>, accountId: number): Promise<boolean> {
  return (await deleteAccountWithData(db, accountId)).deleted;
}

/** deleteAccount (by the player, or an operator: `by`), answering also the leaderboard entries it took off (for the sorted sets). */
export async function deleteAccountWithData(db: Kysely<Database>, accountId: number, by = { reason: 'deleted by the player', actor: 'player' }) {
  return transactionWithRetry(db, async (trx) => {
    if (!(await lockLiveAccount(trx, accountId))) return { deleted: false, leaderboardEntries: [] };
    await trx.selectFrom('accountProfile').select('accountProfileId').where('accountId', '=', accountId).forUpdate().execute();
    await trx.selectFrom('accountAuth').select('accountAuthId').where('accountId', '=', accountId).forUpdate().execute();
    await lockSessions(trx, accountId);
    // The player's cloud saves go (no stamped row: before the stamped writes, like the audit row).
    await deleteAccountStorageIn(trx, accountId);
    // Its mail and subscribe credits too (broadcasts stay: they are the other players').
    await deleteAccountMailIn(trx, accountId);
    // Its leaderboard entries (they carry its nickname and avatar); the ranks behind close up.
    const leaderboardEntries = await removeLeaderboardEntriesIn(trx, { accountId });
    await trx
      .insertInto('accountAudit')
      .values({ accountId, action: 'delete', ...by })
      .execute();
    // Stamped from here on, on rows already held.
    await trx
      .updateTable('account')
      .set({ isDel: 1, nickName: '', avatar: '', phoneBind: 0, mailBind: 0 })
      .where('accountId', '=', accountId)
      .execute();
    await trx
      .updateTable('accountProfile')
      .set({
        isDel: 1,
        realName: null,
        nickName: '',
        phone: null,
        email: null,
        gender: 0,
        birthday: null,
        registerIp: null,
        loginIp: null,
        onlineStatus: 0,
        country: null,
        province: null,
        city: null,
        language: null,
      })
      .where('accountId', '=', accountId)
      .execute();
    await trx
      .updateTable('accountAuth')
      .set({ identifier: sql<string>`concat('released:', account_auth_id)`, credential: null, paymentPassword: null, isDel: 1 })
      .where('accountId', '=', accountId)
      .execute();
    await revokeAccountSessions(trx, accountId, 'account_deleted');
    await trx.updateTable('accountSession').set({ ip: '', userAgent: '' }).where('accountId', '=', accountId).execute();
    return { deleted: true, leaderboardEntries };
  });
}

/** Every piece of personal data held on a player (PIPL's right to a copy); never a credential or a token hash. */
export interface AccountExport {
  account: {
    accountId: number;
    accountTypeId: number;
    nickName: string;
    avatar: string;
    dataFlag: number;
    createTime: Date;
    mailBind: number;
    phoneBind: number;
  };
  profile: {
    realName: string | null;
    nickName: string;
    phone: string | null;
    email: string | null;
    gender: number;
    birthday: Date | null;
    experience: number;
    level: number;
    registerIp: string | null;
    loginTime: Date | null;
    loginIp: string | null;
    onlineStatus: number;
    onlineSeconds: number;
    unreadMsgNums: number;
    heartbeatTime: Date | null;
    createTime: Date;
    country: string | null;
    province: string | null;
    city: string | null;
    language: string | null;
    wechatSyncedAt: Date | null;
  } | null;
  identities: Array<{ authType: string; identifier: string; createTime: Date; timeStamp: Date | null }>;
  sessions: SessionSummary[];
  audit: Array<{ action: AuditAction; reason: string; actor: string; createTime: Date }>;
  /** The player's cloud saves, by collection and key. */
  saves: StorageObject[];
  /** The player's mail (their own messages, their state of broadcasts). */
  mail: MailExport[];
  /** WeChat subscribe-message sends the player allowed, per game and template. */
  subscribeCredits: Array<{ appid: string; templateId: string; credits: number }>;
  /** The player's leaderboard entries, every board and period. */
  leaderboardEntries: LeaderboardEntryExport[];
}

export async function exportAccount(db: Kysely<Database>, accountId: number): Promise<AccountExport | undefined> {
  const account = await db
    .selectFrom('account')
    .select(['accountId', 'accountTypeId', 'nickName', 'avatar', 'dataFlag', 'createTime', 'mailBind', 'phoneBind'])
    .where('accountId', '=', accountId)
    .where('isDel', '=', 0)
    .executeTakeFirst();
  if (!account) return undefined;
  const [profile, identities, sessions, audit, saves, mailData, leaderboardEntries] = await Promise.all([
    db
      .selectFrom('accountProfile')
      .select([
        'realName',
        'nickName',
        'phone',
        'email',
        'gender',
        'birthday',
        'experience',
        'level',
        'registerIp',
        'loginTime',
        'loginIp',
        'onlineStatus',
        'onlineSeconds',
        'unreadMsgNums',
        'heartbeatTime',
        'createTime',
        'country',
        'province',
        'city',
        'language',
        'wechatSyncedAt',
      ])
      .where('accountId', '=', accountId)
      .executeTakeFirst(),
    db
      .selectFrom('accountAuth')
      .select(['authType', 'identifier', 'createTime', 'timeStamp'])
      .where('accountId', '=', accountId)
      .where('isDel', '=', 0)
      .orderBy('accountAuthId')
      .execute(),
    listAccountSessions(db, accountId),
    db.selectFrom('accountAudit').select(['action', 'reason', 'actor', 'createTime']).where('accountId', '=', accountId).orderBy('auditId').execute(),
    listAccountStorage(db, accountId),
    listAccountMail(db, accountId),
    listAccountLeaderboardEntries(db, accountId),
  ]);
  return {
    account,
    profile: profile ? { ...profile, experience: Number(profile.experience), onlineSeconds: Number(profile.onlineSeconds) } : null,
    identities,
    sessions,
    audit,
    saves,
    mail: mailData.mail,
    subscribeCredits: mailData.subscribeCredits,
    leaderboardEntries,
  };
}

/** An account as an operator looks it up: by id, or by any identity's identifier (an openid, a unionid). */
export interface AccountLookup {
  accountId: number;
  nickName: string;
  dataFlag: number;
  isDel: number;
  createTime: Date;
  loginTime: Date | null;
  loginIp: string | null;
  onlineStatus: number;
  onlineSeconds: number;
  identities: Array<{ authType: string; identifier: string }>;
}

export async function findAccountForOperator(db: Kysely<Database>, idOrIdentifier: string): Promise<AccountLookup | undefined> {
  const byIdentifier = await db.selectFrom('accountAuth').select('accountId').where('identifier', '=', idOrIdentifier).executeTakeFirst();
  const accountId = byIdentifier?.accountId ?? (/^[1-9][0-9]{0,15}$/.test(idOrIdentifier) ? Number(idOrIdentifier) : undefined);
  if (accountId === undefined) return undefined;
  const account = await db
    .selectFrom('account')
    .leftJoin('accountProfile', 'accountProfile.accountId', 'account.accountId')
    .select([
      'account.accountId',
      'account.nickName',
      'account.dataFlag',
      'account.isDel',
      'account.createTime',
      'accountProfile.loginTime',
      'accountProfile.loginIp',
      'accountProfile.onlineStatus',
      'accountProfile.onlineSeconds',
    ])
    .where('account.accountId', '=', accountId)
    .executeTakeFirst();
  if (!account) return undefined;
  const identities = await db
    .selectFrom('accountAuth')
    .select(['authType', 'identifier'])
    .where('accountId', '=', accountId)
    .orderBy('accountAuthId')
    .execute();
  return {
    ...account,
    onlineStatus: account.onlineStatus ?? 0,
    onlineSeconds: Number(account.onlineSeconds ?? 0),
    identities,
  };
}
