import { randomBytes } from 'node:crypto';
import { signInWithIdentity } from '@minigate/db';
import { createTestDatabase, type TestDatabase } from '@minigate/db/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeLeaderboard } from './definitions.js';
import { createLeaderboardService } from './leaderboard-service.js';

// The leaderboard service in process on a real MariaDB and the real Redis at 127.0.0.1:6379: the Redis sorted sets
// answer what MySQL's counts answer for the same submissions (also after their keys are deleted, and with a player's
// submissions racing), and both answer what the contract says.
let database: TestDatabase;
let redis: Redis;
beforeAll(async () => {
  database = await createTestDatabase();
  redis = new Redis('redis://127.0.0.1:6379');
});
afterAll(async () => {
  await redis?.quit();
  await database?.drop();
});

let games = 0;
let players = 0;

/** `count` new accounts, in ascending id order. */
async function accounts(count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const signIn = { authType: 'test', identifier: `lb-${players++}`, credential: null, ip: '10.0.0.1', at: new Date() };
    ids.push((await signInWithIdentity(database.db, signIn)).accountId);
  }
  return ids;
}

/** A service for a game of its own (so boards never meet another test's), with its clock and Redis key prefix. */
function game(boards: Array<Record<string, unknown>>, store: Redis | null = null, app = `wxlbtest${String(games++).padStart(4, '0')}`) {
  const clock = { now: Date.parse('2026-12-08T10:00:00+08:00') };
  const redisKeyPrefix = `minigate-test-lb-${randomBytes(4).toString('hex')}:`;
  const service = createLeaderboardService({
    db: database.db,
    boards: { [app]: boards.map((board) => normalizeLeaderboard(board)) },
    redis: store,
    redisKeyPrefix,
    now: () => clock.now,
  });
  const as = (accountId: number) => ({ accountId, app });
  return { service, clock, as, app, redisKeyPrefix };
}

const ranks = (entries: Array<{ rank: number; accountId: number; score: number }>) => entries.map((e) => [e.rank, e.accountId, e.score]);

type Definition = { id: string; sort: 'asc' | 'desc'; operator: 'best' | 'set' | 'incr'; minScore: number; maxScore: number };
const DEFINITIONS: Definition[] = [
  { id: 'best', sort: 'desc', operator: 'best', minScore: 0, maxScore: 30 },
  { id: 'fast', sort: 'asc', operator: 'best', minScore: 0, maxScore: 30 },
  { id: 'last', sort: 'desc', operator: 'set', minScore: 0, maxScore: 30 },
  { id: 'sum', sort: 'desc', operator: 'incr', minScore: 0, maxScore: 1_000_000 },
  // The widest range allowed (max - min < 2^48): keys of the sorted set must keep every score apart.
  { id: 'wide', sort: 'desc', operator: 'best', minScore: -(2 ** 47), maxScore: 2 ** 47 - 1 },
];

/** What the contract says the board holds: the operator's score, reachedAt kept when the entry does not change. */
class Model {
  readonly entries = new Map<string, Map<number, { score: number; reachedAt: number }>>();
  submit(definition: Definition, accountId: number, score: number, now: number) {
    const board = this.entries.get(definition.id) ?? new Map<number, { score: number; reachedAt: number }>();
    this.entries.set(definition.id, board);
    const old = board.get(accountId);
    const better = (x: number, y: number) => (definition.sort === 'desc' ? x > y : x < y);
    if (!old || (definition.operator === 'best' && better(score, old.score)) || (definition.operator === 'set' && score !== old.score)) {
      board.set(accountId, { score, reachedAt: now });
    } else if (definition.operator === 'incr') board.set(accountId, { score: old.score + score, reachedAt: now });
  }
  ranked(definition: Definition): Array<[number, number, number]> {
    const sign = definition.sort === 'desc' ? -1 : 1;
    return [...(this.entries.get(definition.id) ?? new Map<number, { score: number; reachedAt: number }>())]
      .sort(([ida, a], [idb, b]) => sign * (a.score - b.score) || a.reachedAt - b.reachedAt || ida - idb)
      .map(([id, entry], index) => [index + 1, id, entry.score]);
  }
}

/** A deterministic sequence of numbers in [0, 1). */
function random(seed: number) {
  return () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

/** The sorted set of a board in Redis (the key layout of redis-ranks.ts). */
const setKey = (one: { redisKeyPrefix: string; app: string }, board: string, period = 'all') =>
  `${one.redisKeyPrefix}leaderboard:{${one.app}:${board}:${period}}:set`;

describe('Redis mode and MySQL mode', () => {
  it('answer the same ranks for the same submissions, as the contract orders them, also after the sorted sets are deleted', async () => {
    const ids = await accounts(8);
    const withRedis = game(DEFINITIONS, redis, `wxlbredis${games}`);
    const withMysql = game(DEFINITIONS, null, `wxlbmysql${games}`);
    const model = new Model();
    const next = random(20);
    const clocks = [withRedis.clock, withMysql.clock];
    /** Reads each board once (a missing sorted set is built on a read), and waits for the builds. */
    const built = async () => {
      for (const definition of DEFINITIONS) await withRedis.service.top(withRedis.as(ids[0]!), { board: definition.id });
      await withRedis.service.settled();
    };

    async function submit(definition: Definition, accountId: number, score: number) {
      model.submit(definition, accountId, score, withRedis.clock.now);
      const answers = await Promise.all([withRedis, withMysql].map((one) => one.service.submit(one.as(accountId), { board: definition.id, score })));
      expect(answers[0]).toEqual(answers[1]);
      const mine = model.ranked(definition).find(([, id]) => id === accountId)!;
      expect(answers[0]).toMatchObject({ board: definition.id, period: 'all', score: mine[2], rank: mine[0] });
    }
    async function everyReadAgrees() {
      for (const definition of DEFINITIONS) {
        const expected = model.ranked(definition);
        for (const one of [withRedis, withMysql]) {
          const read: Array<[number, number, number]> = [];
          let cursor: string | undefined;
          do {
            const page = await one.service.top(one.as(ids[0]!), { board: definition.id, limit: 3, ...(cursor ? { cursor } : {}) });
            expect(page.total).toBe(expected.length);
            read.push(...(ranks(page.entries) as Array<[number, number, number]>));
            cursor = page.nextCursor ?? undefined;
          } while (cursor);
          expect(read, `${definition.id} top, ${one.app}`).toEqual(expected);
          for (const id of ids) {
            const mine = expected.find(([, account]) => account === id);
            const me = await one.service.me(one.as(id), { board: definition.id });
            expect(me.entry ? [me.entry.rank, me.entry.accountId, me.entry.score] : null, `${definition.id} me`).toEqual(mine ?? null);
            const around = await one.service.around(one.as(id), { board: definition.id, limit: 3 });
            const index = expected.findIndex(([, account]) => account === id);
            const from = index < 0 ? 0 : Math.max(0, Math.min(index - 1, expected.length - 3));
            expect(ranks(around.entries), `${definition.id} around`).toEqual(index < 0 ? [] : expected.slice(from, from + 3));
          }
        }
      }
    }
    /** Redis holds every entry (so the reads above were answered from its sorted sets). */
    async function redisHoldsTheBoards() {
      for (const definition of DEFINITIONS)
        expect(await redis.zcard(setKey(withRedis, definition.id)), definition.id).toBe(model.ranked(definition).length);
    }

    await built();
    for (let step = 0; step < 160; step++) {
      const definition = DEFINITIONS[Math.floor(next() * DEFINITIONS.length)]!;
      const accountId = ids[Math.floor(next() * ids.length)]!;
      const score =
        definition.operator === 'incr'
          ? 1 + Math.floor(next() * 3)
          : definition.id === 'wide'
            ? [definition.minScore, definition.maxScore, definition.maxScore - 1, definition.minScore + 1, 0][Math.floor(next() * 5)]!
            : Math.floor(next() * 8);
      // Often in the same millisecond as the last submission: then the account id decides a tie.
      if (next() < 0.6) for (const clock of clocks) clock.now += 1 + Math.floor(next() * 1000);
      await submit(definition, accountId, score);
    }
    await redisHoldsTheBoards();
    await everyReadAgrees();
    expect(await redis.keys(`${withMysql.redisKeyPrefix}*`)).toEqual([]);

    // The sorted sets deleted: MySQL answers while they are built again from it.
    const keys = await redis.keys(`${withRedis.redisKeyPrefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    await everyReadAgrees();
    await withRedis.service.settled();
    await redisHoldsTheBoards();
    await everyReadAgrees();

    // Deleted again, then submissions come before any read: the boards must still be whole.
    await redis.del(...(await redis.keys(`${withRedis.redisKeyPrefix}*`)));
    for (const clock of clocks) clock.now += 1000;
    await submit(DEFINITIONS[0]!, ids[7]!, 30);
    await submit(DEFINITIONS[1]!, ids[6]!, 0);
    await everyReadAgrees();
    await withRedis.service.settled();
    await redisHoldsTheBoards();
    await everyReadAgrees();

    // remove() takes the entry out of the sorted set too.
    const removed = await Promise.all([withRedis, withMysql].map((one) => one.service.remove({ app: one.app, board: 'best', accountId: ids[7]! })));
    model.entries.get('best')!.delete(ids[7]!);
    await redisHoldsTheBoards();
    await everyReadAgrees();
    expect(removed.map((one) => (typeof one === 'number' ? one : one.length))).toEqual([1, 1]); // the number removed (the contract), or the entries
  }, 120_000);

  it('racing submissions of each player leave the sorted set in MySQL’s order (best keeps the highest, incr adds all)', async () => {
    const ids = await accounts(30);
    const one = game([{ id: 'race' }, { id: 'sum', operator: 'incr' }], redis, `wxlbrace${games}`);
    for (const id of ['race', 'sum']) await one.service.top(one.as(ids[0]!), { board: id });
    await one.service.settled();
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        ids.flatMap((id, p) => [
          ...[3, 0, 4, 1, 2].map((k) => one.service.submit(one.as(id), { board: 'race', score: 1000 * round + p + 30 * k })),
          ...[1, 2, 3, 4, 5].map((k) => one.service.submit(one.as(id), { board: 'sum', score: k * (p + 1) })),
        ]),
      );
      const race = ids.map((id, p) => [30 - p, id, 1000 * round + p + 120]).reverse();
      const sum = ids.map((id, p) => [30 - p, id, 15 * (round + 1) * (p + 1)]).reverse();
      expect(ranks((await one.service.top(one.as(ids[0]!), { board: 'race', limit: 100 })).entries), `race, round ${round}`).toEqual(race);
      expect(ranks((await one.service.top(one.as(ids[0]!), { board: 'sum', limit: 100 })).entries), `sum, round ${round}`).toEqual(sum);
    }
    expect([await redis.zcard(setKey(one, 'race')), await redis.zcard(setKey(one, 'sum'))]).toEqual([30, 30]);
  });
});
