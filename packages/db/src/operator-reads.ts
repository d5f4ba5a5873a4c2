import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface PlayerMatch {
  accountId: number;
  nickName: string;
  avatar: string;
  dataFlag: number;
  isDel: number;
  createTime: Date;
  identities: Array<{ authType: string; identifier: string }>;
}

/** The console's search: an account id, an exact openid/unionid (any platform, any game), or a nickname's start; at most 20. */
export async function findPlayers(db: Kysely<Database>, query: string): Promise<PlayerMatch[]> {
  const columns = ['accountId', 'nickName', 'avatar', 'dataFlag', 'isDel', 'createTime'] as const;
  const ids = new Set<number>();
  if (/^[1-9][0-9]{0,15}$/.test(query)) ids.add(Number(query));
  for (const row of await db.selectFrom('accountAuth').select('accountId').where('identifier', '=', query).limit(20).execute())
    ids.add(Number(row.accountId));
  const exact =
    ids.size > 0
      ? await db
          .selectFrom('account')
          .select(columns)
          .where('accountId', 'in', [...ids])
          .execute()
      : [];
  const escaped = query.replace(/[\\%_]/g, (character) => `\\${character}`);
  const named = await db
    .selectFrom('account')
    .select(columns)
    .where('nickName', 'like', `${escaped}%`)
    .where('isDel', '=', 0)
    .orderBy('accountId')
    .limit(20)
    .execute();
  const seen = new Set<number>();
  const players = [...exact, ...named]
    .map((row) => ({ ...row, accountId: Number(row.accountId) }))
    .filter((row) => !seen.has(row.accountId) && seen.add(row.accountId))
    .slice(0, 20);
  // Their ways in, in one read.
  const identities =
    players.length > 0
      ? await db
          .selectFrom('accountAuth')
          .select(['accountId', 'authType', 'identifier'])
          .where(
            'accountId',
            'in',
            players.map((player) => player.accountId),
          )
          .orderBy('accountAuthId')
          .execute()
      : [];
  return players.map((player) => ({
    ...player,
    identities: identities
      .filter((identity) => Number(identity.accountId) === player.accountId)
      .map(({ authType, identifier }) => ({ authType, identifier })),
  }));
}

/** Sessions used within the window, by the game they signed in to (null: the first WeChat game). */
export async function countActiveSessionsByGame(db: Kysely<Database>, since: Date): Promise<Array<{ appid: string | null; players: number }>> {
  const rows = await db
    .selectFrom('accountSession')
    .select(['appid', (eb) => eb.fn.count<number>('accountId').distinct().as('players')])
    .where('lastUsedAt', '>=', since)
    .where('revokedAt', 'is', null)
    .groupBy('appid')
    .execute();
  return rows.map((row) => ({ appid: row.appid, players: Number(row.players) }));
}

/** Logins (new sessions) a minute since `since`, by game: one row per minute and game that had any. */
export async function countLoginsByMinute(db: Kysely<Database>, since: Date): Promise<Array<{ minute: Date; appid: string | null; logins: number }>> {
  const { rows } = await sql<{ minute: Date; appid: string | null; logins: number | string }>`
    SELECT TIMESTAMP(DATE_FORMAT(create_time, '%Y-%m-%d %H:%i:00')) AS minute, appid, COUNT(*) AS logins
    FROM account_session WHERE create_time >= ${since}
    GROUP BY minute, appid ORDER BY minute`.execute(db);
  return rows.map((row) => ({ minute: new Date(row.minute), appid: row.appid, logins: Number(row.logins) }));
}

/** Revenue (fen) of orders delivered and not refunded, a UTC day since `since`; and the orders made in the last day still waiting for delivery. */
export async function revenueByDay(
  db: Kysely<Database>,
  since: Date,
  waitingSince: Date,
): Promise<{ days: Array<{ day: string; fen: number }>; waiting: number }> {
  const { rows } = await sql<{ day: string; fen: number | string }>`
    SELECT DATE_FORMAT(delivered_at, '%Y-%m-%d') AS day, SUM(total_price) AS fen
    FROM pay_order WHERE status = 'delivered' AND delivered_at >= ${since}
    GROUP BY day ORDER BY day`.execute(db);
  const waiting = await db
    .selectFrom('payOrder')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'created')
    .where('createTime', '>=', waitingSince)
    .executeTakeFirst();
  return { days: rows.map((row) => ({ day: row.day, fen: Number(row.fen) })), waiting: Number(waiting?.n ?? 0) };
}
