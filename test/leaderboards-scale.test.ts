import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestStack, TEST_GAMES, type TestStack } from './support/stack.js';

// Leaderboards under load and in both stores, over HTTP: 1,000 parallel submits by 1,000 players rank as a sort of
// their scores; 1,000 more racing 10 to a player (5 on each board) keep the best (best) and lose no increment (incr); and a server on
// Redis (REDIS_URL) answers what a server on MySQL alone answers for the same submissions, also once its sorted
// sets are deleted.
const GAME = TEST_GAMES.wechat.appid;
const PLAYERS = 1000;
const BOARDS = [
  { id: 'crowd' },
  { id: 'race' },
  { id: 'sum', operator: 'incr' },
  { id: 'best', maxScore: 20 },
  { id: 'fast', sort: 'asc', maxScore: 20 },
  { id: 'last', operator: 'set', maxScore: 20 },
  { id: 'total', operator: 'incr', maxScore: 1000 },
];
const LIMITS = { RATE_LIMIT_LOGIN: '100000/60', RATE_LIMIT_LEADERBOARD: '100/10' };
const REDIS_KEY_PREFIX = `minigate-test-lb-${randomBytes(4).toString('hex')}:`;

interface Player {
  id: number;
  call(kind: 'query' | 'mutation', path: string, input?: unknown): ReturnType<typeof callProcedure>;
}
interface Mode {
  name: string;
  stack: TestStack;
  players: Player[];
}
const modes: Mode[] = [];
let redis: Redis;

async function startMode(name: string, env: Record<string, string>): Promise<Mode> {
  const stack = await startTestStack({ ...LIMITS, ...env }, { apps: [TEST_GAMES.wechat], appsFileExtras: { [GAME]: { leaderboards: BOARDS } } });
  const players: Player[] = [];
  const started = Date.now();
  // In batches, each in creation order: players[i] of one mode is players[i] of the other.
  for (let batch = 0; batch < PLAYERS; batch += 100) {
    const logins = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        callProcedure(stack, 'mutation', 'auth.login', { appid: GAME, code: stack.simulator.issueCode(GAME, `crowd-${batch + i}`) }),
      ),
    );
    for (const login of logins) {
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      const auth = { authorization: `Bearer ${login.body.result.data.accessToken as string}` };
      players.push({ id: login.body.result.data.account.id, call: (kind, path, input) => callProcedure(stack, kind, path, input, auth) });
    }
  }
  console.info(`${name}: ${PLAYERS} logins in ${Date.now() - started} ms`);
  const mode = { name, stack, players };
  if (env.REDIS_URL) await sortedSetsBuilt(mode);
  return mode;
}

/** Redis keys of the leaderboards (the key layout of packages/api/src/leaderboards/redis-ranks.ts). */
const boardKey = (board: string, part: 'set' | 'ready') => `${REDIS_KEY_PREFIX}leaderboard:{${GAME}:${board}:all}:${part}`;

/**
 * Reads every board once (a missing sorted set is built on a read, in the background, MySQL answering meanwhile)
 * and waits until each is built: from then on, submissions go to the sorted sets and reads come from them.
 */
async function sortedSetsBuilt(mode: Mode) {
  for (const board of BOARDS) ok(await mode.players[0]!.call('query', 'leaderboards.top', { board: board.id }));
  const deadline = Date.now() + 10_000;
  for (const board of BOARDS) {
    while (!(await redis.exists(boardKey(board.id, 'ready')))) {
      if (Date.now() > deadline) throw new Error(`the sorted set of ${board.id} was not built within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

beforeAll(async () => {
  redis = new Redis('redis://127.0.0.1:6379');
  modes.push(...(await Promise.all([startMode('MySQL', {}), startMode('Redis', { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX })])));
}, 180_000);
afterAll(async () => {
  await Promise.all(modes.map((mode) => mode.stack.close()));
  const keys = await redis.keys(`${REDIS_KEY_PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis?.quit();
});

function ok(answer: Awaited<ReturnType<typeof callProcedure>>) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.result.data;
}

/** The whole board, read 100 entries a page: [rank, accountId, score] rows. */
async function wholeBoard(reader: Player, board: string, expectedTotal: number): Promise<number[][]> {
  const rows: number[][] = [];
  let cursor: string | null = null;
  do {
    const page = ok(await reader.call('query', 'leaderboards.top', { board, limit: 100, ...(cursor ? { cursor } : {}) }));
    expect(page.total).toBe(expectedTotal);
    rows.push(...page.entries.map((entry: { rank: number; accountId: number; score: number }) => [entry.rank, entry.accountId, entry.score]));
    cursor = page.nextCursor;
  } while (cursor);
  return rows;
}

/** A shuffle that is the same on every run. */
function shuffled<T>(items: T[], seed: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = seed % (i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe.each([0, 1])('1,000 parallel submits (%i: 0 MySQL, 1 Redis)', (index) => {
  it('by 1,000 players rank exactly as their scores sort', async () => {
    const { name, players } = modes[index]!;
    const scores = shuffled(
      players.map((_, i) => 7 * (i + 1)),
      index + 1,
    );
    const started = Date.now();
    const answers = await Promise.all(players.map((one, i) => one.call('mutation', 'leaderboards.submit', { board: 'crowd', score: scores[i] })));
    console.info(`${name}: ${PLAYERS} parallel submits in ${Date.now() - started} ms`);
    for (const answer of answers) expect(ok(answer)).toMatchObject({ board: 'crowd', improved: true });
    const expected = players
      .map((one, i) => ({ id: one.id, score: scores[i]! }))
      .sort((a, b) => b.score - a.score)
      .map((entry, i) => [i + 1, entry.id, entry.score]);
    expect(await wholeBoard(players[0]!, 'crowd', PLAYERS)).toEqual(expected);
    const mine = await Promise.all(players.map((one) => one.call('query', 'leaderboards.me', { board: 'crowd' })));
    expect(mine.map((answer) => ok(answer).entry.rank)).toEqual(players.map((one) => expected.find((row) => row[1] === one.id)![0]));
    if (name === 'Redis') expect(await redis.zcard(boardKey('crowd', 'set'))).toBe(PLAYERS);
  }, 60_000);

  it('racing 10 to a player (100 players, 5 on each board): best keeps the highest, incr loses no increment', async () => {
    const { name, players } = modes[index]!;
    const racers = players.slice(0, 100);
    const started = Date.now();
    const answers = await Promise.all(
      racers.flatMap((one, p) => [
        ...shuffled([0, 1, 2, 3, 4], p).map((k) => one.call('mutation', 'leaderboards.submit', { board: 'race', score: 1 + p + 100 * k })),
        ...[1, 2, 3, 4, 5].map((k) => one.call('mutation', 'leaderboards.submit', { board: 'sum', score: k * (p + 1) })),
      ]),
    );
    console.info(`${name}: ${answers.length} racing submits in ${Date.now() - started} ms`);
    for (const answer of answers) ok(answer);
    const expectedRace = racers.map((one, p) => [100 - p, one.id, 401 + p]).reverse();
    const expectedSum = racers.map((one, p) => [100 - p, one.id, 15 * (p + 1)]).reverse();
    expect(await wholeBoard(players[0]!, 'race', 100)).toEqual(expectedRace);
    expect(await wholeBoard(players[0]!, 'sum', 100)).toEqual(expectedSum);
    if (name === 'Redis') expect([await redis.zcard(boardKey('race', 'set')), await redis.zcard(boardKey('sum', 'set'))]).toEqual([100, 100]);
  }, 60_000);
});

describe('Redis mode and MySQL mode', () => {
  it('agree on the same submissions, one after another: the same players in the same ranks, and as the contract orders them', async () => {
    const boards = [
      { id: 'best', sign: -1, operator: 'best' },
      { id: 'fast', sign: 1, operator: 'best' },
      { id: 'last', sign: -1, operator: 'set' },
      { id: 'total', sign: -1, operator: 'incr' },
    ] as const;
    // players[i] is the same player in both modes (logged in in the same order); the model counts in player indexes.
    const model = new Map<string, Map<number, { score: number; step: number }>>(boards.map((board) => [board.id, new Map()]));
    let seed = 7;
    const next = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    for (let step = 0; step < 150; step++) {
      const board = boards[next(boards.length)]!;
      const player = 300 + next(12);
      const score = board.operator === 'incr' ? 1 + next(3) : next(6);
      const answers = await Promise.all(
        modes.map((mode) => mode.players[player]!.call('mutation', 'leaderboards.submit', { board: board.id, score }).then(ok)),
      );
      expect(answers[1], `step ${step}`).toEqual(answers[0]);
      const entries = model.get(board.id)!;
      const old = entries.get(player);
      const better = old && (board.operator === 'best' ? board.sign * (score - old.score) < 0 : board.operator === 'set' && score !== old.score);
      if (!old || better) entries.set(player, { score, step });
      else if (board.operator === 'incr') entries.set(player, { score: old.score + score, step });
    }
    const expected = (board: (typeof boards)[number]) =>
      [...model.get(board.id)!]
        .sort(([, a], [, b]) => board.sign * (a.score - b.score) || a.step - b.step)
        .map(([player, entry], i) => [i + 1, player, entry.score]);
    const asIndexes = (mode: Mode, rows: number[][]) =>
      rows.map(([rank, id, score]) => [rank, mode.players.findIndex((one) => one.id === id), score]);
    const readAll = async () => {
      for (const board of boards) {
        for (const mode of modes) {
          const total = model.get(board.id)!.size;
          expect(asIndexes(mode, await wholeBoard(mode.players[0]!, board.id, total)), `${board.id} on ${mode.name}`).toEqual(expected(board));
        }
        const arounds = await Promise.all(
          modes.map(async (mode) =>
            Promise.all(
              Array.from({ length: 12 }, async (_, i) => {
                const around = ok(await mode.players[300 + i]!.call('query', 'leaderboards.around', { board: board.id, limit: 3 }));
                return asIndexes(
                  mode,
                  around.entries.map((e: { rank: number; accountId: number; score: number }) => [e.rank, e.accountId, e.score]),
                );
              }),
            ),
          ),
        );
        expect(arounds[1], `${board.id} around`).toEqual(arounds[0]);
      }
    };
    await readAll();
    for (const board of boards) expect(await redis.zcard(boardKey(board.id, 'set')), board.id).toBe(model.get(board.id)!.size);
    // The sorted sets deleted: MySQL answers while they are built again, then they answer again.
    await redis.del(...(await redis.keys(`${REDIS_KEY_PREFIX}leaderboard:*`)));
    await readAll();
    await sortedSetsBuilt(modes[1]!);
    await readAll();
  }, 60_000);
});
