import { sql, type Kysely } from 'kysely';
import { parseUnread, unreadCounts } from './mail.js';
import { prepared } from './prepared.js';
import type { Database, DataFlag } from './schema.js';

export interface AccountWithProfile {
  accountId: number;
  nickName: string;
  avatar: string;
  dataFlag: DataFlag;
  createTime: Date;
  gender: number;
  level: number;
  experience: number;
  loginTime: Date | null;
  birthday: Date | null;
  onlineSeconds: number;
  /** The unread messages at the time asked (computed from the mailbox: see mail.ts). */
  unreadMsgNums: number;
  /** When the earliest of those expires (to the second, rounded down), or null: the count holds until then. */
  unreadUntil: Date | null;
  phoneBind: 0 | 1;
  country: string | null;
  province: string | null;
  city: string | null;
  language: string | null;
  /** The auth types of the account's live identities, space-separated in the order they were added; null for none. */
  authTypes: string | null;
}

const accountWithProfile = prepared((db: Kysely<Database>, accountId: number, now: Date, now2: Date) => {
  const unread = unreadCounts(sql`account.account_id`, now, now2, true);
  return db
    .selectFrom('account')
    .innerJoin('accountProfile', 'accountProfile.accountId', 'account.accountId')
    .select([
      'account.accountId',
      'account.nickName',
      'account.avatar',
      'account.dataFlag',
      'account.createTime',
      'accountProfile.gender',
      'accountProfile.level',
      'accountProfile.experience',
      'accountProfile.loginTime',
      'accountProfile.birthday',
      'accountProfile.onlineSeconds',
      // The unread count, in the same round trip: the player's own messages and the broadcasts reaching them.
      unread.personal.as('unreadMail'),
      unread.broadcasts.as('unreadBroadcasts'),
      'account.phoneBind',
      'accountProfile.country',
      'accountProfile.province',
      'accountProfile.city',
      'accountProfile.language',
      // In the same round trip: account.me lists the identities.
      sql<
        string | null
      >`(SELECT GROUP_CONCAT(a.auth_type ORDER BY a.account_auth_id SEPARATOR ' ') FROM account_auth a WHERE a.account_id = account.account_id AND a.is_del = 0)`.as(
        'authTypes',
      ),
    ])
    .where('account.accountId', '=', accountId)
    .where('account.isDel', '=', 0);
});

/** A live (not deleted) account with its profile, or undefined (account.me: compiled once, see prepared). */
export async function findAccountWithProfile(
  db: Kysely<Database>,
  accountId: number,
  now: Date = new Date(),
): Promise<AccountWithProfile | undefined> {
  const row = (await accountWithProfile(db, accountId, now, now)).rows[0];
  if (!row) return undefined;
  const { unreadMail, unreadBroadcasts, ...rest } = row;
  const unread = parseUnread(unreadMail, unreadBroadcasts);
  return { ...rest, unreadMsgNums: unread.count, unreadUntil: unread.until };
}
