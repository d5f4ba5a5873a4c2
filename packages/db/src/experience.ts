import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import { transactionWithRetry } from './write-conflict-retry.js';

/** The seed's Experience and Level after a grant. */
export interface Progress {
  experience: number;
  level: number;
}

/**
 * Adds experience to a live player's profile, in one statement (concurrent grants add up), and, given
 * `experiencePerLevel`, raises the level to 1 + floor(experience / experiencePerLevel), never lowering it (a level
 * an operator set above the rule stays). Undefined when there is no live account. The profile's update_time moves,
 * so every instance's account.me sees it through the change feed.
 */
export async function grantExperience(
  db: Kysely<Database>,
  accountId: number,
  amount: number,
  experiencePerLevel: number | null,
): Promise<Progress | undefined> {
  return transactionWithRetry(db, async (trx) => {
    // level first, computed from the experience before this statement plus the grant: right whether the database
    // assigns left to right (MySQL) or all at once (MariaDB's SIMULTANEOUS_ASSIGNMENT).
    const level =
      experiencePerLevel === null ? sql<number>`level` : sql<number>`GREATEST(level, 1 + FLOOR((experience + ${amount}) / ${experiencePerLevel}))`;
    const updated = await trx
      .updateTable('accountProfile')
      .set({ level, experience: sql<number>`experience + ${amount}` })
      .where('accountId', '=', accountId)
      .where('isDel', '=', 0)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return undefined;
    const row = await trx.selectFrom('accountProfile').select(['experience', 'level']).where('accountId', '=', accountId).executeTakeFirstOrThrow();
    return { experience: Number(row.experience), level: Number(row.level) };
  });
}
