import { sql, type Kysely } from 'kysely';
import { prepared } from './prepared.js';
import type { Database, DataFlag } from './schema.js';

/**
 * What jscode2session answered for one code, kept under the code's hash:
 * a failure that may have consumed the code. ('session' rows were written
 * by servers before migration 0007, which kept every exchanged code here;
 * a code now lives on the session it opened, see findLoginCodeUse.)
 */
export type LoginCodeOutcome =
  | { outcome: 'session'; openid: string; unionid: string | null; sessionKey: string; answeredAt: Date }
  | { outcome: 'failed'; failure: string; answeredAt: Date };

/** The session a login code opened (account_session.login_code_hash), with its account: what a repeat of the code is judged by. */
export interface LoginCodeSession {
  sessionId: number;
  accountId: number;
  /** The IP the session was opened (or last refreshed) from. */
  ip: string;
  createTime: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  accountCreateTime: Date;
  nickName: string;
  avatar: string;
  dataFlag: DataFlag;
  accountIsDel: 0 | 1;
}

/** Everything known of a login code: the session it opened, and an outcome remembered for it. */
export interface LoginCodeUse {
  session: LoginCodeSession | null;
  remembered: LoginCodeOutcome | null;
}

const SESSION_COLUMNS = [
  'accountSession.sessionId',
  'accountSession.accountId',
  'accountSession.ip',
  'accountSession.createTime',
  'accountSession.expiresAt',
  'accountSession.revokedAt',
  'account.createTime as accountCreateTime',
  'account.nickName',
  'account.avatar',
  'account.dataFlag',
  'account.isDel as accountIsDel',
] as const;

// Every login reads it: compiled once (see prepared). Always one row (from
// the one-row table), each side's columns null where it has no row: the
// session by the unique key of its code, the remembered outcome by its primary key.
const loginCodeUseRow = prepared((db: Kysely<Database>, sessionCodeHash: string, rememberedCodeHash: string, now: Date) =>
  db
    .selectFrom(sql<{ one: number }>`(SELECT 1 AS one)`.as('one'))
    .leftJoin('accountSession', (join) => join.on('accountSession.loginCodeHash', '=', sessionCodeHash))
    .leftJoin('account', 'account.accountId', 'accountSession.accountId')
    .leftJoin('wechatLoginCode', (join) => join.on('wechatLoginCode.codeHash', '=', rememberedCodeHash).on('wechatLoginCode.expiresAt', '>', now))
    .select([
      ...SESSION_COLUMNS,
      'wechatLoginCode.outcome',
      'wechatLoginCode.openid',
      'wechatLoginCode.unionid',
      'wechatLoginCode.sessionKey',
      'wechatLoginCode.failure',
      'wechatLoginCode.answeredAt',
    ]),
);

const loginCodeSessionRow = prepared((db: Kysely<Database>, codeHash: string) =>
  db
    .selectFrom('accountSession')
    .innerJoin('account', 'account.accountId', 'accountSession.accountId')
    .select(SESSION_COLUMNS)
    .where('accountSession.loginCodeHash', '=', codeHash),
);

type SessionColumns = { [K in keyof LoginCodeSession]: LoginCodeSession[K] | null };

function sessionOf(row: SessionColumns): LoginCodeSession | null {
  const { sessionId, accountId, ip, createTime, expiresAt, revokedAt, accountCreateTime, nickName, avatar, dataFlag, accountIsDel } = row;
  if (sessionId === null || accountId === null || ip === null || createTime === null || expiresAt === null) return null;
  // A session whose account row is gone is a used code all the same: judged as a deleted account.
  return {
    sessionId: Number(sessionId),
    accountId: Number(accountId),
    ip,
    createTime,
    expiresAt,
    revokedAt,
    accountCreateTime: accountCreateTime ?? new Date(0),
    nickName: nickName ?? '',
    avatar: avatar ?? '',
    dataFlag: dataFlag ?? 0,
    accountIsDel: accountIsDel ?? 1,
  };
}

/**
 * In one statement: the session the code opened, and the outcome remembered
 * for it while that has not expired (a failure that may have consumed it).
 */
export async function findLoginCodeUse(db: Kysely<Database>, codeHash: string, now: Date): Promise<LoginCodeUse> {
  const row = (await loginCodeUseRow(db, codeHash, codeHash, now)).rows[0];
  if (!row) return { session: null, remembered: null };
  return { session: sessionOf(row), remembered: outcomeOf(row) };
}

/** The session the code opened, or null (when its outcomes are remembered elsewhere: Redis). */
export async function findLoginCodeSession(db: Kysely<Database>, codeHash: string): Promise<LoginCodeSession | null> {
  const row = (await loginCodeSessionRow(db, codeHash)).rows[0];
  return row ? sessionOf(row) : null;
}

interface OutcomeColumns {
  outcome: string | null;
  openid: string | null;
  unionid: string | null;
  sessionKey: string | null;
  failure: string | null;
  answeredAt: Date | null;
}

function outcomeOf(row: OutcomeColumns): LoginCodeOutcome | null {
  if (row.outcome === null || row.answeredAt === null) return null;
  if (row.outcome === 'session' && row.openid && row.sessionKey) {
    return { outcome: 'session', openid: row.openid, unionid: row.unionid, sessionKey: row.sessionKey, answeredAt: row.answeredAt };
  }
  return { outcome: 'failed', failure: row.failure ?? 'unknown', answeredAt: row.answeredAt };
}

// A remembered outcome alone (a code that met a failure writes one): compiled once (see prepared).
const loginCodeRow = prepared((db: Kysely<Database>, codeHash: string, now: Date) =>
  db
    .selectFrom('wechatLoginCode')
    .select(['outcome', 'openid', 'unionid', 'sessionKey', 'failure', 'answeredAt'])
    .where('codeHash', '=', codeHash)
    .where('expiresAt', '>', now),
);

const insertLoginCode = prepared(
  (
    db: Kysely<Database>,
    codeHash: string,
    outcome: 'session' | 'failed',
    openid: string | null,
    unionid: string | null,
    sessionKey: string | null,
    failure: string | null,
    answeredAt: Date,
    expiresAt: Date,
  ) => db.insertInto('wechatLoginCode').ignore().values({ codeHash, outcome, openid, unionid, sessionKey, failure, answeredAt, expiresAt }),
);

/** The code's remembered outcome while it has not expired, or null. */
export async function findLoginCode(db: Kysely<Database>, codeHash: string, now: Date): Promise<LoginCodeOutcome | null> {
  const row = (await loginCodeRow(db, codeHash, now)).rows[0];
  return row ? outcomeOf(row) : null;
}

/** Remembers a code's outcome until `expiresAt`; a code seen before keeps its first outcome. */
export async function rememberLoginCode(db: Kysely<Database>, codeHash: string, entry: LoginCodeOutcome, expiresAt: Date): Promise<void> {
  const session = entry.outcome === 'session' ? entry : null;
  await insertLoginCode(
    db,
    codeHash,
    entry.outcome,
    session?.openid ?? null,
    session?.unionid ?? null,
    session?.sessionKey ?? null,
    entry.outcome === 'failed' ? entry.failure : null,
    entry.answeredAt,
    expiresAt,
  );
}

/** Deletes the codes that expired before `before`; returns how many. */
export async function pruneLoginCodes(db: Kysely<Database>, before: Date): Promise<number> {
  const result = await db.deleteFrom('wechatLoginCode').where('expiresAt', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
