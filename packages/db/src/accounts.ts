import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, DataFlag } from './schema.js';
import { isDuplicateKeyError, isRetryableTransactionError } from './database-errors.js';
import type { NewSession } from './sessions.js';
import {
  identityWithAccount,
  insertAccountRow,
  insertIdentity,
  insertProfile,
  insertSession,
  recordReturningLogin,
  updateCredential,
  updateLogin,
} from './sign-in-statements.js';
import { retryOnWriteConflict, transactionWithRetry } from './write-conflict-retry.js';

/** One way to sign in: an auth type and its identifier, unique together. */
export interface IdentityKey {
  authType: string;
  identifier: string;
}

export interface IdentitySignIn extends IdentityKey {
  /** Stored with the identity, e.g. an encrypted session key; replaced at every sign-in. */
  credential: string | null;
  /** When the credential was issued (time_stamp); default `at`. A login answered from a cache gives the first answer's time. */
  credentialAt?: Date;
  /**
   * Whether the stored credential is the same secret as `credential` (for an
   * encrypted session key: they decrypt to the same key): then time_stamp
   * keeps the time the key was first seen, as WeChat handed the same key again.
   */
  isSameCredential?: (stored: string | null) => boolean;
  /** The caller's IP: kept as register IP once, as login IP every time. */
  ip: string;
  at: Date;
  /**
   * Other identities of the same person (a WeChat unionid): a new identity
   * joins the account one of them already has, and each is recorded when
   * missing. Never the only key: the main identity decides.
   */
  linkedIdentities?: IdentityKey[];
  /** Values for an account this sign-in creates; ignored for an existing one. */
  newAccount?: NewAccountValues;
  /** A session to open for this login, in the same transaction; none for a disabled account. */
  session?: NewSession;
  /**
   * The hash of the login code this sign-in exchanged, kept on the session
   * it opens. Its unique key lets one code open one session: a second one
   * fails with LoginCodeTakenError and nothing of its sign-in is kept but a
   * login time moved forward.
   */
  loginCodeHash?: string;
}

/** The session a sign-in would open was refused: a session of its login code exists already (account_session_login_code). */
export class LoginCodeTakenError extends Error {
  override name = 'LoginCodeTakenError';
}

/** The unique key of account_session.login_code_hash (migration 0007). */
const LOGIN_CODE_KEY = 'account_session_login_code';

function isLoginCodeTaken(error: unknown): boolean {
  return isDuplicateKeyError(error) && String((error as { message?: unknown }).message).includes(LOGIN_CODE_KEY);
}

export interface NewAccountValues {
  nickName?: string;
  avatar?: string;
  gender?: number;
  level?: number;
}

export interface SignedInAccount {
  accountId: number;
  /** True when this sign-in created the account. */
  isNew: boolean;
  dataFlag: DataFlag;
  nickName: string;
  avatar: string;
  /** The session this sign-in opened, or null (none asked for, or the account is disabled). */
  sessionId: number | null;
}

/**
 * Runs of a sign-in, the first included. On Galera twenty logins of one
 * player at once over three nodes abort one another at COMMIT again and
 * again (each node's write of the same rows): four runs were seen to lose
 * all four, eight with waits up to 500 ms have not.
 */
const ATTEMPTS = 8;
const MAX_DELAY_MS = 500;

/** Runs again what a write conflict or a first login that lost the identity's unique key rolled back; never a taken login code. */
const signInRetry = {
  attempts: ATTEMPTS,
  maxDelayMs: MAX_DELAY_MS,
  retryOn: (error: unknown) => isRetryableTransactionError(error) && !isLoginCodeTaken(error),
};

/** One autocommit statement of a returning player's login, run again on a write conflict (it was rolled back: nothing is done twice). */
const once = <T>(work: () => Promise<T>): Promise<T> => retryOnWriteConflict(work, { attempts: ATTEMPTS, maxDelayMs: MAX_DELAY_MS });

/**
 * Finds or creates the account behind an identity and records the login.
 *
 * A returning player (the common case) costs three statements and no
 * transaction: the identity read, one UPDATE of the identity's credential
 * and the profile's login time together, the session insert. Each is
 * atomic on its own and nothing structural is written, so a failure in
 * between leaves no half-made account, only a login time moved forward.
 *
 * Anything else (a first login, an identity released or gone meanwhile)
 * runs in one transaction. The unique key on (auth_type, identifier)
 * decides every race: read first (no auto-increment id burnt for a
 * returning player), on a miss insert, and when a concurrent first login
 * wins the insert, run the whole transaction again: the new transaction's
 * snapshot sees the winner's row (a re-read in the same REPEATABLE READ
 * transaction would not).
 *
 * Write conflicts (InnoDB's deadlock victim, Galera's certification failure
 * at COMMIT, TiDB's 9007) are run again with backoff: the transaction whole,
 * a returning player's statement on its own (each rolled back alone). A
 * session of `loginCodeHash` that exists already is never run again:
 * LoginCodeTakenError.
 */
export async function signInWithIdentity(db: Kysely<Database>, signIn: IdentitySignIn): Promise<SignedInAccount> {
  try {
    const found = await findIdentity(db, signIn);
    const live = found && isLive(found) ? found : undefined;
    const returning = live ? await signInReturning(db, signIn, live) : null;
    if (returning) return returning;
    let attempt = 0;
    return await transactionWithRetry(
      db,
      (trx) => {
        attempt++;
        // The first attempt after a read that found no row for the key at all skips reading it again;
        // should one have appeared since, the identity insert meets the unique key and the next attempt reads.
        return signInOnce(trx, signIn, attempt === 1 && !found);
      },
      signInRetry,
    );
  } catch (error) {
    if (isLoginCodeTaken(error)) throw new LoginCodeTakenError('a session of this login code exists already', { cause: error });
    throw error;
  }
}

type IdentityWithAccount = Awaited<ReturnType<typeof identityWithAccount>>['rows'][number];
type LiveIdentity = IdentityWithAccount & { dataFlag: DataFlag; nickName: string; avatar: string };

/** The identity and its account both live (not deleted). */
function isLive(row: IdentityWithAccount): row is LiveIdentity {
  return row.identityIsDel === 0 && row.accountIsDel === 0 && row.dataFlag !== null && row.nickName !== null && row.avatar !== null;
}

/** A live identity's login outside a transaction; null when the identity is no longer live. */
async function signInReturning(db: Kysely<Database>, signIn: IdentitySignIn, known: LiveIdentity): Promise<SignedInAccount | null> {
  const credentialAt = credentialTime(known, signIn);
  const updated = await once(() => recordReturningLogin(db, signIn.credential, credentialAt, signIn.at, signIn.ip, known.accountAuthId));
  // Released or deleted since the read: the transaction starts the player afresh.
  if (Number(updated.numAffectedRows ?? 0) === 0) return null;
  await once(() => recordLinkedIdentities(db, known.accountId, signIn));
  const session = signIn.session;
  const sessionId = session && known.dataFlag === 1 ? await once(() => openSession(db, known.accountId, signIn, session)) : null;
  return { ...signedIn(known, false), sessionId };
}

/** time_stamp keeps the first sighting of a key WeChat handed again; a new key gets its own time. */
function credentialTime(known: { timeStamp: Date | null; credential: string | null }, signIn: IdentitySignIn): Date {
  const same = known.timeStamp !== null && signIn.isSameCredential?.(known.credential) === true;
  return same && known.timeStamp ? known.timeStamp : (signIn.credentialAt ?? signIn.at);
}

async function signInOnce(trx: Transaction<Database>, signIn: IdentitySignIn, absent: boolean): Promise<SignedInAccount> {
  const account = await signInAccount(trx, signIn, absent);
  const sessionId = signIn.session && account.dataFlag === 1 ? await openSession(trx, account.accountId, signIn, signIn.session) : null;
  return { ...account, sessionId };
}

async function openSession(trx: Kysely<Database>, accountId: number, signIn: IdentitySignIn, session: NewSession): Promise<number> {
  const inserted = await insertSession(
    trx,
    accountId,
    session.refreshTokenHash,
    signIn.at,
    signIn.at,
    session.expiresAt,
    signIn.ip,
    session.userAgent,
    signIn.loginCodeHash ?? null,
    session.appid ?? null,
  );
  return Number(inserted.insertId);
}

/** In the transaction: `absent` when a read a moment ago found no row for the key (nothing to re-read or release). */
async function signInAccount(trx: Transaction<Database>, signIn: IdentitySignIn, absent: boolean): Promise<Omit<SignedInAccount, 'sessionId'>> {
  const found = absent ? undefined : await findIdentity(trx, signIn);
  if (found && isLive(found)) {
    await updateCredential(trx, signIn.credential, credentialTime(found, signIn), found.accountAuthId);
    await recordLogin(trx, found.accountId, signIn);
    await recordLinkedIdentities(trx, found.accountId, signIn);
    return signedIn(found, false);
  }

  if (found) await releaseDeadIdentity(trx, found.accountAuthId);
  const linked = await findLinkedAccount(trx, signIn.linkedIdentities ?? []);
  const accountId = linked?.accountId ?? (await insertAccount(trx, signIn));
  // A concurrent first login of the same identity makes this insert fail
  // with a duplicate key; signInWithIdentity then runs everything again.
  await insertIdentity(trx, accountId, signIn.authType, signIn.identifier, signIn.credential, signIn.credentialAt ?? signIn.at, signIn.at);
  if (linked) await recordLogin(trx, accountId, signIn);
  await recordLinkedIdentities(trx, accountId, signIn);
  return linked
    ? signedIn(linked, false)
    : { accountId, isNew: true, dataFlag: 1, nickName: signIn.newAccount?.nickName ?? '', avatar: signIn.newAccount?.avatar ?? '' };
}

function signedIn(row: Omit<SignedInAccount, 'isNew' | 'sessionId'>, isNew: boolean): Omit<SignedInAccount, 'sessionId'> {
  return { accountId: row.accountId, dataFlag: row.dataFlag, nickName: row.nickName, avatar: row.avatar, isNew };
}

/** The key's row, live or not, with its account (see isLive); a plain, non-locking read. */
async function findIdentity(db: Kysely<Database>, key: IdentityKey) {
  return (await identityWithAccount(db, key.authType, key.identifier)).rows[0];
}

/**
 * A row of this key whose account (or itself) was deleted still holds the
 * unique key: rewrite its identifier so the player starts afresh. Found by
 * the plain read before (no row at all is the common path: a locking UPDATE
 * there would take gap locks that deadlock concurrent first logins). The
 * UPDATE reads the latest committed row, so its condition spares a row that
 * came alive after this transaction's snapshot.
 */
async function releaseDeadIdentity(trx: Transaction<Database>, accountAuthId: number): Promise<void> {
  await trx
    .updateTable('accountAuth')
    .set({ identifier: sql<string>`concat('released:', account_auth_id)`, isDel: 1 })
    .where('accountAuthId', '=', accountAuthId)
    .where((eb) =>
      eb.or([eb('isDel', '=', 1), eb('accountId', 'in', eb.selectFrom('account').select('account.accountId').where('account.isDel', '=', 1))]),
    )
    .execute();
}

async function findLinkedAccount(trx: Transaction<Database>, keys: IdentityKey[]) {
  for (const key of keys) {
    const found = await findIdentity(trx, key);
    if (found && isLive(found)) return found;
  }
  return undefined;
}

async function insertAccount(trx: Transaction<Database>, signIn: IdentitySignIn): Promise<number> {
  const initial = signIn.newAccount ?? {};
  const inserted = await insertAccountRow(trx, signIn.at, initial.nickName ?? '', initial.avatar ?? '');
  const accountId = Number(inserted.insertId);
  await insertProfile(trx, accountId, initial.nickName ?? '', initial.gender ?? 0, initial.level ?? 1, signIn.ip, signIn.at, signIn.ip, signIn.at);
  return accountId;
}

async function recordLogin(trx: Transaction<Database>, accountId: number, signIn: IdentitySignIn): Promise<void> {
  await updateLogin(trx, signIn.at, signIn.ip, accountId);
}

/** Records each linked identity the account lacks; one held by another account stays where it is. */
async function recordLinkedIdentities(trx: Kysely<Database>, accountId: number, signIn: IdentitySignIn): Promise<void> {
  for (const key of signIn.linkedIdentities ?? []) {
    if (await findIdentity(trx, key)) continue;
    await trx
      .insertInto('accountAuth')
      .ignore()
      .values({
        accountId,
        authType: key.authType,
        identifier: key.identifier,
        credential: null,
        paymentPassword: null,
        timeStamp: null,
        createTime: signIn.at,
      })
      .execute();
  }
}
