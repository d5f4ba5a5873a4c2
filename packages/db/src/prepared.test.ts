import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepared } from './prepared.js';
import type { Database } from './schema.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';

describe('prepared', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  const insertAccount = prepared((db: Kysely<Database>, nickName: string, createTime: Date) =>
    db.insertInto('account').values({ nickName, avatar: '', createTime }),
  );
  const accountById = prepared((db: Kysely<Database>, accountId: number) =>
    db.selectFrom('account').select(['accountId', 'nickName', 'createTime', 'dataFlag']).where('accountId', '=', accountId).where('isDel', '=', 0),
  );

  it('answers what the query builder answers, mapped to camelCase, with new values at every call', async () => {
    const at = new Date('2026-11-01T10:00:00.000Z');
    const first = await insertAccount(database.db, 'ada', at);
    const second = await insertAccount(database.db, 'grace', at);
    expect(Number(second.insertId)).toBe(Number(first.insertId) + 1);
    for (const [id, nickName] of [
      [Number(first.insertId), 'ada'],
      [Number(second.insertId), 'grace'],
    ] as const) {
      const { rows } = await accountById(database.db, id);
      const built = await database.db
        .selectFrom('account')
        .select(['accountId', 'nickName', 'createTime', 'dataFlag'])
        .where('accountId', '=', id)
        .execute();
      expect(rows).toEqual(built);
      expect(rows[0]).toMatchObject({ accountId: id, nickName, dataFlag: 1 });
      expect(rows[0]?.createTime.toISOString()).toBe(at.toISOString());
    }
    expect((await accountById(database.db, 999_999)).rows).toEqual([]);
  });

  it('runs in a transaction, which sees its own writes, on the compilation of its database', async () => {
    let compilations = 0;
    const nickNameOf = prepared((db: Kysely<Database>, accountId: number) => {
      compilations++;
      return db.selectFrom('account').select('nickName').where('accountId', '=', accountId);
    });
    for (const nickName of ['in-trx-1', 'in-trx-2']) {
      const seen = await database.db.transaction().execute(async (trx) => {
        const inserted = await insertAccount(trx, nickName, new Date());
        return (await nickNameOf(trx, Number(inserted.insertId))).rows[0]?.nickName;
      });
      expect(seen).toBe(nickName);
    }
    await nickNameOf(database.db, 1);
    expect(compilations).toBe(1);
  });

  it('refuses a statement where an argument does not become exactly one parameter', async () => {
    const unused = prepared((db: Kysely<Database>, _accountId: number) => db.selectFrom('account').select('accountId').where('isDel', '=', 0));
    await expect(unused(database.db, 1)).rejects.toThrow(/did not become a parameter/);
    const twice = prepared((db: Kysely<Database>, accountId: number) =>
      db
        .selectFrom('account')
        .select('accountId')
        .where('accountId', '=', accountId)
        .where('dataFlag', '=', accountId as 1),
    );
    await expect(twice(database.db, 1)).rejects.toThrow(/used twice/);
  });
});
