import type { Kysely } from 'kysely';
import type { Database, OperatorRole } from './schema.js';

export interface OperatorRecord {
  operatorId: number;
  name: string;
  role: OperatorRole;
  passwordHash: string;
  disabled: boolean;
}

export class OperatorNameTakenError extends Error {
  override name = 'OperatorNameTakenError';
}

/** A new operator; OperatorNameTakenError when the name is taken. */
export async function createOperator(
  db: Kysely<Database>,
  operator: { name: string; role: OperatorRole; passwordHash: string; at: Date },
): Promise<number> {
  try {
    const result = await db
      .insertInto('operator')
      .values({ name: operator.name, role: operator.role, passwordHash: operator.passwordHash, createTime: operator.at, updateTime: operator.at })
      .executeTakeFirstOrThrow();
    return Number(result.insertId);
  } catch (error) {
    if ((error as { errno?: number }).errno === 1062) throw new OperatorNameTakenError(`an operator named ${operator.name} exists already`);
    throw error;
  }
}

export async function findOperatorByName(db: Kysely<Database>, name: string): Promise<OperatorRecord | undefined> {
  const row = await db
    .selectFrom('operator')
    .select(['operatorId', 'name', 'role', 'passwordHash', 'disabled'])
    .where('name', '=', name)
    .executeTakeFirst();
  return row && { ...row, operatorId: Number(row.operatorId), disabled: row.disabled !== 0 };
}

export async function countOperators(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('operator')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function createOperatorSession(
  db: Kysely<Database>,
  session: { operatorId: number; tokenHash: Buffer; at: Date; expiresAt: Date; ip: string; userAgent: string },
): Promise<number> {
  const result = await db
    .insertInto('operatorSession')
    .values({
      operatorId: session.operatorId,
      tokenHash: session.tokenHash,
      createTime: session.at,
      lastUsedAt: session.at,
      expiresAt: session.expiresAt,
      ip: session.ip.slice(0, 45),
      userAgent: session.userAgent.slice(0, 255),
    })
    .executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export interface LiveOperatorSession {
  sessionId: number;
  operatorId: number;
  name: string;
  role: OperatorRole;
  lastUsedAt: Date;
}

/** The live session of this token's hash (not revoked, not expired, its operator not disabled), or undefined. */
export async function findLiveOperatorSession(db: Kysely<Database>, tokenHash: Buffer, at: Date): Promise<LiveOperatorSession | undefined> {
  const row = await db
    .selectFrom('operatorSession as s')
    .innerJoin('operator as o', 'o.operatorId', 's.operatorId')
    .select(['s.sessionId', 's.operatorId', 'o.name', 'o.role', 's.lastUsedAt'])
    .where('s.tokenHash', '=', tokenHash)
    .where('s.revokedAt', 'is', null)
    .where('s.expiresAt', '>', at)
    .where('o.disabled', '=', 0)
    .executeTakeFirst();
  return row && { ...row, sessionId: Number(row.sessionId), operatorId: Number(row.operatorId) };
}

export async function touchOperatorSession(db: Kysely<Database>, sessionId: number, at: Date): Promise<void> {
  await db.updateTable('operatorSession').set({ lastUsedAt: at }).where('sessionId', '=', sessionId).execute();
}

export async function revokeOperatorSession(db: Kysely<Database>, sessionId: number, at: Date): Promise<void> {
  await db.updateTable('operatorSession').set({ revokedAt: at }).where('sessionId', '=', sessionId).where('revokedAt', 'is', null).execute();
}
