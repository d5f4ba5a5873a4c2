import { sql, type Kysely } from 'kysely';
import { isDuplicateKeyError } from './database-errors.js';
import { lockLiveAccount } from './live-account.js';
import type { Database } from './schema.js';
import { retryOnWriteConflict, transactionWithRetry } from './write-conflict-retry.js';

/** A live identity's credential (for a WeChat openid: the encrypted session key) and when it was set. */
export interface IdentityCredential {
  /** The openid, phone, ... */
  identifier: string;
  credential: string | null;
  timeStamp: Date | null;
}

/** The account's live identity of `authType` (e.g. its openid), or undefined. */
export async function findIdentityCredential(db: Kysely<Database>, accountId: number, authType: string): Promise<IdentityCredential | undefined> {
  return db
    .selectFrom('accountAuth')
    .innerJoin('account', 'account.accountId', 'accountAuth.accountId')
    .select(['accountAuth.identifier', 'accountAuth.credential', 'accountAuth.timeStamp'])
    .where('accountAuth.accountId', '=', accountId)
    .where('accountAuth.authType', '=', authType)
    .where('accountAuth.isDel', '=', 0)
    .where('account.isDel', '=', 0)
    .orderBy('accountAuth.accountAuthId', 'desc')
    .executeTakeFirst();
}

export interface PhoneBinding {
  accountId: number;
  /** The phone identity's auth type, e.g. `phone`. */
  authType: string;
  /** The number with its country code, e.g. +8613800138000: unique across accounts. */
  phone: string;
  at: Date;
}

/** bound: now bound (a previous number of the account released); unchanged: it was already; taken: another account holds it. */
export type PhoneBindingOutcome = 'bound' | 'unchanged' | 'taken' | 'account_gone';

/**
 * Binds a phone to the account: a phone identity (unique across accounts:
 * the unique key on (auth_type, identifier) decides a race), the profile's
 * phone and account.phone_bind = 1, in one transaction. A number held by a
 * deleted account (or a released row) is freed first; the account's
 * previous number, if any, is released.
 */
export async function bindPhoneIdentity(db: Kysely<Database>, binding: PhoneBinding): Promise<PhoneBindingOutcome> {
  // Two binds of one number to two accounts can deadlock (the release's
  // gap locks against the other's insert): the loser runs again and then
  // sees the winner's row.
  return retryOnWriteConflict(() => bindPhoneOnce(db, binding));
}

async function bindPhoneOnce(db: Kysely<Database>, binding: PhoneBinding): Promise<PhoneBindingOutcome> {
  try {
    return await db.transaction().execute(async (trx) => {
      if (!(await lockLiveAccount(trx, binding.accountId))) return 'account_gone';
      const holder = await trx
        .selectFrom('accountAuth')
        .innerJoin('account', 'account.accountId', 'accountAuth.accountId')
        .select(['accountAuth.accountAuthId', 'accountAuth.accountId', 'accountAuth.isDel', 'account.isDel as accountIsDel'])
        .where('accountAuth.authType', '=', binding.authType)
        .where('accountAuth.identifier', '=', binding.phone)
        .executeTakeFirst();
      let outcome: PhoneBindingOutcome = 'bound';
      if (holder && holder.isDel === 0 && holder.accountIsDel === 0) {
        if (holder.accountId !== binding.accountId) return 'taken';
        outcome = 'unchanged';
      } else if (holder) {
        await trx
          .updateTable('accountAuth')
          .set({ identifier: sql<string>`concat('released:', account_auth_id)`, isDel: 1 })
          .where('accountAuthId', '=', holder.accountAuthId)
          .execute();
      }
      if (outcome === 'bound') {
        // The account's previous number, if any, is let go.
        await trx
          .updateTable('accountAuth')
          .set({ identifier: sql<string>`concat('released:', account_auth_id)`, isDel: 1 })
          .where('accountId', '=', binding.accountId)
          .where('authType', '=', binding.authType)
          .where('isDel', '=', 0)
          .execute();
        await trx
          .insertInto('accountAuth')
          .values({
            accountId: binding.accountId,
            authType: binding.authType,
            identifier: binding.phone,
            credential: null,
            paymentPassword: null,
            timeStamp: binding.at,
            createTime: binding.at,
          })
          .execute();
      }
      await trx.updateTable('account').set({ phoneBind: 1 }).where('accountId', '=', binding.accountId).execute();
      await trx.updateTable('accountProfile').set({ phone: binding.phone }).where('accountId', '=', binding.accountId).execute();
      return outcome;
    });
  } catch (error) {
    // A concurrent bind of the same number to another account won the unique key.
    if (isDuplicateKeyError(error)) return 'taken';
    throw error;
  }
}

/** WeChat's user info as the profile keeps it; an absent field is left as it is. */
export interface WeChatUserInfoChanges {
  nickName?: string;
  avatar?: string;
  gender?: number;
  country?: string;
  province?: string;
  city?: string;
  language?: string;
  at: Date;
}

/** Stores WeChat's user info on the account (nickname, avatar) and the profile (the rest), in one transaction. False when the account is gone. */
export async function applyWeChatUserInfo(db: Kysely<Database>, accountId: number, changes: WeChatUserInfoChanges): Promise<boolean> {
  return transactionWithRetry(db, async (trx) => {
    if (!(await lockLiveAccount(trx, accountId))) return false;
    const accountChanges = {
      ...(changes.nickName !== undefined ? { nickName: changes.nickName } : {}),
      ...(changes.avatar !== undefined ? { avatar: changes.avatar } : {}),
    };
    if (Object.keys(accountChanges).length > 0) await trx.updateTable('account').set(accountChanges).where('accountId', '=', accountId).execute();
    await trx
      .updateTable('accountProfile')
      .set({
        ...(changes.nickName !== undefined ? { nickName: changes.nickName } : {}),
        ...(changes.gender !== undefined ? { gender: changes.gender } : {}),
        ...(changes.country !== undefined ? { country: changes.country } : {}),
        ...(changes.province !== undefined ? { province: changes.province } : {}),
        ...(changes.city !== undefined ? { city: changes.city } : {}),
        ...(changes.language !== undefined ? { language: changes.language } : {}),
        wechatSyncedAt: changes.at,
      })
      .where('accountId', '=', accountId)
      .execute();
    return true;
  });
}

/** The profile's WeChat user info fields (account.me answers them). */
export async function findWeChatUserInfo(
  db: Kysely<Database>,
  accountId: number,
): Promise<
  { country: string | null; province: string | null; city: string | null; language: string | null; wechatSyncedAt: Date | null } | undefined
> {
  return db
    .selectFrom('accountProfile')
    .select(['country', 'province', 'city', 'language', 'wechatSyncedAt'])
    .where('accountId', '=', accountId)
    .where('isDel', '=', 0)
    .executeTakeFirst();
}
