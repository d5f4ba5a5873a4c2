import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { signInWithIdentity } from './accounts.js';

/** Demo players for a development database; sign in as one through auth type `demo`. */
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

/** Creates the demo players that are missing; running it again changes nothing. */
export async function seedDemoAccounts(db: Kysely<Database>): Promise<SeedResult> {
  const result: SeedResult = { created: [], kept: [] };
  for (const player of DEMO_PLAYERS) {
    const signedIn = await signInWithIdentity(db, {
      authType: DEMO_AUTH_TYPE,
      identifier: player.identifier,
      credential: null,
      ip: '127.0.0.1',
      at: new Date(),
    });
    if (!signedIn.isNew) {
      result.kept.push(player.identifier);
      continue;
    }
    await db.updateTable('account').set({ nickName: player.nickName }).where('accountId', '=', signedIn.accountId).execute();
    await db
      .updateTable('accountProfile')
      .set({ nickName: player.nickName, gender: player.gender, level: player.level })
      .where('accountId', '=', signedIn.accountId)
      .execute();
    result.created.push(player.identifier);
  }
  return result;
}
