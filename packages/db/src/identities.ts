import { sql, type Kysely, type Transaction } from 'kysely';
import type { IdentityKey } from './accounts.js';
import { isDuplicateKeyError } from './database-errors.js';
import { lockLiveAccount } from './live-account.js';
import type { Database } from './schema.js';
import { transactionWithRetry } from './write-conflict-retry.js';

// The identities of an account beyond those a login records: linking a
// player's identity on another game or platform, and letting one go.

/** The live account holding this identity, or null (none, or only a released or deleted one). */
export async function findLiveIdentityOwner(db: Kysely<Database>, authType: string, identifier: string): Promise<number | null> {
  const row = await db
    .selectFrom('accountAuth')
    .innerJoin('account', 'account.accountId', 'accountAuth.accountId')
    .select('accountAuth.accountId')
    .where('accountAuth.authType', '=', authType)
    .where('accountAuth.identifier', '=', identifier)
    .where('accountAuth.isDel', '=', 0)
    .where('account.isDel', '=', 0)
    .executeTakeFirst();
  return row ? row.accountId : null;
}

export interface IdentityLink extends IdentityKey {
  accountId: number;
  /** Stored with the identity (an encrypted session key). */
  credential: string | null;
  at: Date;
  /** Recorded too where no account holds them (the platform's unionid). */
  linkedIdentities?: IdentityKey[];
}

/** linked: added; unchanged: the account had it (its credential renewed); taken: another live account holds it. */
export type IdentityLinkOutcome = 'linked' | 'unchanged' | 'taken' | 'account_gone';

/**
 * Adds an identity to a live account, in one transaction that locks the
 * account first. One held by another live account is `taken` and nothing
 * changes; a released or deleted row of it is let go first. The unique key
 * on (auth_type, identifier) decides a race with a login or another link.
 */
export async function linkIdentity(db: Kysely<Database>, link: IdentityLink): Promise<IdentityLinkOutcome> {
  try {
    return await transactionWithRetry(db, async (trx) => {
      if (!(await lockLiveAccount(trx, link.accountId))) return 'account_gone';
      const holder = await holderOf(trx, link);
      if (holder?.live && holder.accountId !== link.accountId) return 'taken';
      let outcome: IdentityLinkOutcome = 'linked';
      if (holder?.live) {
        await trx
          .updateTable('accountAuth')
          .set({ credential: link.credential, timeStamp: link.at })
          .where('accountAuthId', '=', holder.accountAuthId)
          .execute();
        outcome = 'unchanged';
      } else {
        if (holder) await release(trx, [holder.accountAuthId]);
        await insertIdentity(trx, link.accountId, link, link.credential, link.at);
      }
      for (const key of link.linkedIdentities ?? []) {
        const other = await holderOf(trx, key);
        if (other?.live) continue;
        if (other) await release(trx, [other.accountAuthId]);
        await insertIdentity(trx, link.accountId, key, null, link.at);
      }
      if (outcome === 'linked') await touchAccount(trx, link.accountId);
      return outcome;
    });
  } catch (error) {
    if (isDuplicateKeyError(error)) return 'taken';
    throw error;
  }
}

/** unlinked: let go; not_linked: the account has none of them; last: they are all the ways in it has left. */
export type IdentityUnlinkOutcome = 'unlinked' | 'not_linked' | 'last' | 'account_gone';

export interface IdentityUnlink {
  accountId: number;
  /** The identities to let go (a game's openid and its guest). */
  authTypes: readonly string[];
  /** Whether an auth type signs a player in (an openid, a guest): the account keeps at least one. */
  signsIn: (authType: string) => boolean;
  /** Let go too when no identity of `signsIn` with the same prefix stays: the platform's unionid once its last game is gone. */
  orphans?: (remaining: readonly string[]) => readonly string[];
}

/**
 * Lets identities of an account go (released: the same player starts afresh
 * there), unless that would leave the account no way to sign in.
 */
export async function unlinkIdentity(db: Kysely<Database>, unlink: IdentityUnlink): Promise<IdentityUnlinkOutcome> {
  return transactionWithRetry(db, async (trx) => {
    if (!(await lockLiveAccount(trx, unlink.accountId))) return 'account_gone';
    const identities = await trx
      .selectFrom('accountAuth')
      .select(['accountAuthId', 'authType'])
      .where('accountId', '=', unlink.accountId)
      .where('isDel', '=', 0)
      .execute();
    const going = identities.filter((identity) => unlink.authTypes.includes(identity.authType));
    if (going.length === 0) return 'not_linked';
    const staying = identities.filter((identity) => !unlink.authTypes.includes(identity.authType));
    if (!staying.some((identity) => unlink.signsIn(identity.authType))) return 'last';
    const orphaned = new Set(unlink.orphans?.(staying.map((identity) => identity.authType)) ?? []);
    const released = [...going, ...staying.filter((identity) => orphaned.has(identity.authType))];
    await release(
      trx,
      released.map((identity) => identity.accountAuthId),
    );
    await touchAccount(trx, unlink.accountId);
    return 'unlinked';
  });
}

async function holderOf(trx: Transaction<Database>, key: IdentityKey) {
  const row = await trx
    .selectFrom('accountAuth')
    .leftJoin('account', 'account.accountId', 'accountAuth.accountId')
    .select(['accountAuth.accountAuthId', 'accountAuth.accountId', 'accountAuth.isDel', 'account.isDel as accountIsDel'])
    .where('accountAuth.authType', '=', key.authType)
    .where('accountAuth.identifier', '=', key.identifier)
    .forUpdate()
    .executeTakeFirst();
  return row ? { accountAuthId: row.accountAuthId, accountId: row.accountId, live: row.isDel === 0 && row.accountIsDel === 0 } : undefined;
}

async function insertIdentity(trx: Transaction<Database>, accountId: number, key: IdentityKey, credential: string | null, at: Date) {
  await trx
    .insertInto('accountAuth')
    .values({ accountId, authType: key.authType, identifier: key.identifier, credential, paymentPassword: null, timeStamp: at, createTime: at })
    .execute();
}

/** A released row keeps its account's history but frees the unique key: `released:<id>`. */
async function release(trx: Transaction<Database>, accountAuthIds: number[]) {
  if (accountAuthIds.length === 0) return;
  await trx
    .updateTable('accountAuth')
    .set({ identifier: sql<string>`concat('released:', account_auth_id)`, isDel: 1, credential: null })
    .where('accountAuthId', 'in', accountAuthIds)
    .execute();
}

/** The account's update_time moves, so every instance's change feed forgets its view (account.me lists identities). */
async function touchAccount(trx: Transaction<Database>, accountId: number) {
  await sql`UPDATE account SET update_time = CURRENT_TIMESTAMP(3) WHERE account_id = ${accountId}`.execute(trx);
}
