import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

// WeChat subscribe messages: the sends of a template a player allowed in a game, one per "accept" of
// wx.requestSubscribeMessage; a send takes one.

/** One more allowed send of each template (one "accept" each). */
export async function addSubscribeCredits(db: Kysely<Database>, accountId: number, appid: string, templateIds: readonly string[], at: Date) {
  for (const templateId of templateIds) {
    await sql`INSERT INTO subscribe_credit (account_id, appid, template_id, credits, update_time) VALUES (${accountId}, ${appid}, ${templateId}, 1, ${at})
      ON DUPLICATE KEY UPDATE credits = credits + 1, update_time = VALUES(update_time)`.execute(db);
  }
}

/** Takes one credit; false when the player has none. */
export async function takeSubscribeCredit(db: Kysely<Database>, accountId: number, appid: string, templateId: string, at: Date): Promise<boolean> {
  const taken = await db
    .updateTable('subscribeCredit')
    .set({ credits: sql<number>`credits - 1`, updateTime: at })
    .where('accountId', '=', accountId)
    .where('appid', '=', appid)
    .where('templateId', '=', templateId)
    .where('credits', '>', 0)
    .executeTakeFirst();
  return Number(taken.numUpdatedRows) > 0;
}

/** Gives a credit back (WeChat sent nothing), or sets the credits to none (WeChat says the player allowed none). */
export async function settleSubscribeCredit(
  db: Kysely<Database>,
  accountId: number,
  appid: string,
  templateId: string,
  settle: 'return' | 'none',
  at: Date,
): Promise<void> {
  await db
    .updateTable('subscribeCredit')
    .set({ credits: settle === 'return' ? sql<number>`credits + 1` : 0, updateTime: at })
    .where('accountId', '=', accountId)
    .where('appid', '=', appid)
    .where('templateId', '=', templateId)
    .execute();
}

/** The player's credits in a game, by template. */
export async function readSubscribeCredits(db: Kysely<Database>, accountId: number, appid: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('subscribeCredit')
    .select(['templateId', 'credits'])
    .where('accountId', '=', accountId)
    .where('appid', '=', appid)
    .where('credits', '>', 0)
    .orderBy('templateId')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.templateId, Number(row.credits)]));
}

/** Whether any player signed in to the game (an identity of it: openid or Douyin guest), by the unique key's prefix. */
export async function gameHasPlayers(db: Kysely<Database>, appid: string): Promise<boolean> {
  const types = ['wechat_openid', 'qq_openid', 'douyin_openid', 'douyin_anonymous'].map((platform) => `${platform}:${appid}`);
  const row = await db.selectFrom('accountAuth').select('accountId').where('authType', 'in', types).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** The player's openid in a game (`<platform>_openid:<appid>`), or null. */
export async function findGameOpenid(db: Kysely<Database>, accountId: number, platform: string, appid: string): Promise<string | null> {
  const row = await db
    .selectFrom('accountAuth')
    .select('identifier')
    .where('accountId', '=', accountId)
    .where('authType', '=', `${platform}_openid:${appid}`)
    .where('isDel', '=', 0)
    .executeTakeFirst();
  return row?.identifier ?? null;
}
