// Reference of the leaderboard calls: bare Fastify handlers on the same
// Fastify version, each ONE command on the board of the `leaderboards-*`
// scenarios, answered as JSON. No tokens, no tRPC, no validation, no logging:
// - POST /bare/zadd: ZADD of the body's score to a random member of the
//   1,000,000-member sorted set BARE_BOARD_KEY (ioredis, as minigate uses);
// - GET /bare/zrevrange: ZREVRANGE 0 99 WITHSCORES of that set (the top 100);
// - GET /bare/zrevrank: ZREVRANK of a random member;
// - GET /bare/entry: one row of leaderboard_entry read by its primary key
//   (appid, board, period, account_id), a random entry of the board (mysql2,
//   as minigate uses): the bare MySQL indexed read.
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { createMysqlPool } from '@minigate/db/mysql-pool';

const env = process.env;
const key = env.BARE_BOARD_KEY ?? '';
const appid = env.BARE_APPID ?? '';
const board = env.BARE_BOARD ?? '';
const period = env.BARE_PERIOD ?? '';
/** The board's other accounts: FIRST .. FIRST + COUNT - 1 (the players' own entries are the few below). */
const first = Number(env.BARE_FIRST_ACCOUNT);
const count = Number(env.BARE_ACCOUNTS);

const redis = new Redis(env.REDIS_URL ?? '', { maxRetriesPerRequest: 2 });
const pool = createMysqlPool(env.DATABASE_URL ?? '', { connectionLimit: 10 }).promise();
const randomAccount = () => first + Math.floor(Math.random() * count);

const server = Fastify({ logger: false });
server.post<{ Body: { score?: unknown } }>('/bare/zadd', async (request) => {
  const score = Number(request.body?.score ?? 0);
  await redis.zadd(key, score, String(randomAccount()));
  return { board, score };
});
server.get('/bare/zrevrange', async () => {
  const flat = await redis.zrevrange(key, 0, 99, 'WITHSCORES');
  const entries: Array<{ rank: number; accountId: number; score: number }> = [];
  for (let i = 0; i < flat.length; i += 2) entries.push({ rank: i / 2 + 1, accountId: Number(flat[i]), score: Number(flat[i + 1]) });
  return { board, entries };
});
server.get('/bare/zrevrank', async () => {
  const rank = await redis.zrevrank(key, String(randomAccount()));
  return { board, rank: rank === null ? null : rank + 1 };
});
server.get('/bare/entry', async () => {
  const [rows] = (await pool.query(
    'SELECT account_id, score, reached_at, nickname, avatar_url, metadata FROM leaderboard_entry WHERE appid = ? AND board = ? AND period = ? AND account_id = ?',
    [appid, board, period, randomAccount()],
  )) as unknown as [Array<Record<string, unknown>>];
  return { board, entry: rows[0] ?? null };
});
server.get('/healthz', async () => ({ status: 'ok' }));
await server.listen({ host: '127.0.0.1', port: Number(env.PORT) });
process.once('SIGTERM', () => {
  void server.close().then(async () => {
    redis.disconnect();
    await pool.end();
    process.exit(0);
  });
});
