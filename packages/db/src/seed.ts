import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { signInWithIdentity } from './accounts.js';

/**
 * Demo accounts to look at in a development database (identities of auth
 * type `demo`; no procedure signs in with them).
 */
export const DEMO_PLAYERS = [
  { identifier: 'alice', nickName: 'Alice 🐱', gender: 2, level: 7 },
  { identifier: 'bob', nickName: 'Bob', gender: 1, level: 3 },
  { identifier: 'carol', nickName: '小卡', gender: 0, level: 12 },
] as const;

export const DEMO_AUTH_TYPE = 'demo';

export interface SeedResult {
  created: string[];
  kept: string[];
}

/** Creates the demo accounts that are missing, each in one transaction; running it again writes nothing. */
export async function seedDemoAccounts(db: Kysely<Database>): Promise<SeedResult> {
  const result: SeedResult = { created: [], kept: [] };
  for (const player of DEMO_PLAYERS) {
    const existing = await db
      .selectFrom('accountAuth')
      .select('accountAuthId')
      .where('authType', '=', DEMO_AUTH_TYPE)
      .where('identifier', '=', player.identifier)
      .where('isDel', '=', 0)
      .executeTakeFirst();
    if (existing) {
      result.kept.push(player.identifier);
      continue;
    }
    await signInWithIdentity(db, {
      authType: DEMO_AUTH_TYPE,
      identifier: player.identifier,
      credential: null,
      ip: '127.0.0.1',
      at: new Date(),
      newAccount: { nickName: player.nickName, gender: player.gender, level: player.level },
    });
    result.created.push(player.identifier);
  }
  return result;
}
