import { signInWithIdentity } from '@minigate/db';
import { createTestDatabase, type TestDatabase } from '@minigate/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgressionService } from './progression-service.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe('grants of experience', () => {
  it('add experience, raise the level by the declared rule, forget the account view, and refuse a bad amount', async () => {
    const { accountId } = await signInWithIdentity(database.db, {
      authType: 'test',
      identifier: 'grantee',
      credential: null,
      ip: '10.0.0.1',
      at: new Date(),
    });
    const changed: number[] = [];
    const progression = createProgressionService({ db: database.db, experiencePerLevel: 50, onChanged: (id) => changed.push(id) });
    expect(await progression.grantExperience(accountId, 120)).toEqual({ experience: 120, level: 3 });
    expect(changed).toEqual([accountId]);
    for (const amount of [0, -5, 1.5]) await expect(progression.grantExperience(accountId, amount)).rejects.toThrow(RangeError);
    const profile = await database.db
      .selectFrom('accountProfile')
      .select(['experience', 'level'])
      .where('accountId', '=', accountId)
      .executeTakeFirstOrThrow();
    expect([Number(profile.experience), profile.level]).toEqual([120, 3]);
  });
});
