import { signInWithIdentity } from '@minigate/db';
import { createTestDatabase, type TestDatabase } from '@minigate/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeLeaderboard } from './definitions.js';
import { createLeaderboardService } from './leaderboard-service.js';

// The leaderboard service in process, on a real MariaDB (MySQL mode), with a clock the tests move: periods in a
// board's time zone, the past period still readable, remove() closing the ranks up. Redis mode:
// leaderboard-service-redis.test.ts.
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

const at = (iso: string) => Date.parse(iso);
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

/** A service for a game of its own (so boards never meet another test's), with its clock. */
function game(boards: Array<Record<string, unknown>>, app = `wxlbtest${String(games++).padStart(4, '0')}`) {
  const clock = { now: at('2026-12-08T10:00:00+08:00') };
  const service = createLeaderboardService({
    db: database.db,
    boards: { [app]: boards.map((board) => normalizeLeaderboard(board)) },
    redis: null,
    redisKeyPrefix: 'minigate-test-lb:',
    now: () => clock.now,
  });
  const as = (accountId: number) => ({ accountId, app });
  return { service, clock, as, app };
}

const board = <T extends { id: string }>(answer: { boards: T[] }, id: string): T => answer.boards.find((one) => one.id === id)!;
/** The contract says remove() answers the number removed; the service answers the entries removed (see the findings). */
const removedCount = (removed: number | readonly unknown[]) => (typeof removed === 'number' ? removed : removed.length);
const ranks = (entries: Array<{ rank: number; accountId: number; score: number }>) => entries.map((e) => [e.rank, e.accountId, e.score]);

describe('periods', () => {
  it('daily in Asia/Shanghai: a new period at local midnight, holding only the new entry; the past one readable with its ranks', async () => {
    const [a, b, c] = (await accounts(3)) as [number, number, number];
    const { service, clock, as } = game([{ id: 'day', reset: 'daily', timezone: 'Asia/Shanghai' }]);
    const day = board(await service.boards(as(a)), 'day');
    expect(day).toMatchObject({ id: 'day', sort: 'desc', operator: 'best', reset: 'daily', timezone: 'Asia/Shanghai' });
    expect([day.period, day.previousPeriod, Date.parse(day.resetsAt!)]).toEqual([
      '2026-12-08T00:00',
      '2026-12-07T00:00',
      at('2026-12-09T00:00+08:00'),
    ]);
    expect(await service.submit(as(a), { board: 'day', score: 100 })).toEqual({
      board: 'day',
      period: '2026-12-08T00:00',
      score: 100,
      rank: 1,
      improved: true,
    });
    clock.now = at('2026-12-08T23:59:59.999+08:00'); // the last millisecond of the day, Shanghai time
    expect(await service.submit(as(b), { board: 'day', score: 200 })).toMatchObject({ period: '2026-12-08T00:00', rank: 1 });

    clock.now = at('2026-12-09T00:00:00.000+08:00');
    const next = board(await service.boards(as(a)), 'day');
    expect([next.period, next.previousPeriod, Date.parse(next.resetsAt!)]).toEqual([
      '2026-12-09T00:00',
      '2026-12-08T00:00',
      at('2026-12-10T00:00+08:00'),
    ]);
    expect(await service.top(as(a), { board: 'day' })).toMatchObject({ period: '2026-12-09T00:00', entries: [], total: 0, nextCursor: null });
    expect(await service.me(as(a), { board: 'day' })).toMatchObject({ period: '2026-12-09T00:00', entry: null, total: 0 });
    // A lower score than yesterday's is the best of the new period.
    expect(await service.submit(as(a), { board: 'day', score: 50 })).toEqual({
      board: 'day',
      period: '2026-12-09T00:00',
      score: 50,
      rank: 1,
      improved: true,
    });
    expect(ranks((await service.top(as(a), { board: 'day' })).entries)).toEqual([[1, a, 50]]);

    const past = await service.top(as(c), { board: 'day', period: '2026-12-08T00:00' });
    expect(past).toMatchObject({ board: 'day', period: '2026-12-08T00:00', total: 2, nextCursor: null });
    expect(ranks(past.entries)).toEqual([
      [1, b, 200],
      [2, a, 100],
    ]);
    expect(past.entries[0]!.reachedAt).toBe('2026-12-08T15:59:59.999Z');
    expect((await service.me(as(a), { board: 'day', period: '2026-12-08T00:00' })).entry).toMatchObject({ rank: 2, score: 100 });
    expect(ranks((await service.around(as(a), { board: 'day', period: '2026-12-08T00:00' })).entries)).toEqual(ranks(past.entries));
    expect(await service.around(as(c), { board: 'day', period: '2026-12-08T00:00' })).toMatchObject({ entries: [], total: 2 });
  });

  it('weekly periods start on Monday 00:00 and monthly on the 1st, in the board’s time zone', async () => {
    const [a] = (await accounts(1)) as [number];
    const { service, clock, as } = game([
      { id: 'week', reset: 'weekly' },
      { id: 'week-utc', reset: 'weekly', timezone: 'UTC' },
      { id: 'month', reset: 'monthly', timezone: 'Asia/Shanghai' },
      { id: 'ny', reset: 'daily', timezone: 'America/New_York' },
    ]);
    clock.now = at('2026-12-09T15:00:00+08:00'); // a Wednesday
    let boards = await service.boards(as(a));
    expect(board(boards, 'week')).toMatchObject({ timezone: 'Asia/Shanghai', period: '2026-12-07T00:00', previousPeriod: '2026-11-30T00:00' });
    expect(Date.parse(board(boards, 'week').resetsAt!)).toBe(at('2026-12-14T00:00+08:00'));
    expect(board(boards, 'month')).toMatchObject({ period: '2026-12-01T00:00', previousPeriod: '2026-11-01T00:00' });
    expect(Date.parse(board(boards, 'month').resetsAt!)).toBe(at('2027-01-01T00:00+08:00'));
    expect(await service.submit(as(a), { board: 'week', score: 7 })).toMatchObject({ period: '2026-12-07T00:00', rank: 1 });

    // Monday 03:00 in Shanghai is still Sunday in UTC.
    clock.now = at('2026-12-14T03:00:00+08:00');
    boards = await service.boards(as(a));
    expect(board(boards, 'week')).toMatchObject({ period: '2026-12-14T00:00', previousPeriod: '2026-12-07T00:00' });
    expect(board(boards, 'week-utc')).toMatchObject({ period: '2026-12-07T00:00', previousPeriod: '2026-11-30T00:00' });
    expect(Date.parse(board(boards, 'week-utc').resetsAt!)).toBe(at('2026-12-14T00:00Z'));
    expect(await service.submit(as(a), { board: 'week', score: 3 })).toMatchObject({ period: '2026-12-14T00:00', score: 3, improved: true });
    expect((await service.me(as(a), { board: 'week', period: '2026-12-07T00:00' })).entry).toMatchObject({ rank: 1, score: 7 });

    // The day daylight saving time begins in New York is 23 hours long.
    clock.now = at('2026-03-08T12:00:00-04:00');
    const ny = board(await service.boards(as(a)), 'ny');
    expect([ny.period, ny.previousPeriod, Date.parse(ny.resetsAt!)]).toEqual(['2026-03-08T00:00', '2026-03-07T00:00', at('2026-03-09T00:00-04:00')]);
  });

  it('a cron reset: periods start at its firing times; ids that are not one are refused', async () => {
    const [a, b] = (await accounts(2)) as [number, number];
    const { service, clock, as } = game([{ id: 'shift', reset: '0 */6 * * *', sort: 'asc', minScore: 1, maxScore: 100000 }]);
    clock.now = at('2026-12-08T10:00:00+08:00');
    const shift = board(await service.boards(as(a)), 'shift');
    expect([shift.period, shift.previousPeriod, Date.parse(shift.resetsAt!)]).toEqual([
      '2026-12-08T06:00',
      '2026-12-08T00:00',
      at('2026-12-08T12:00+08:00'),
    ]);
    await service.submit(as(a), { board: 'shift', score: 500 });
    await service.submit(as(b), { board: 'shift', score: 400 });
    clock.now = at('2026-12-08T12:00:00+08:00');
    expect(await service.submit(as(a), { board: 'shift', score: 900 })).toEqual({
      board: 'shift',
      period: '2026-12-08T12:00',
      score: 900,
      rank: 1,
      improved: true,
    });
    expect(ranks((await service.top(as(a), { board: 'shift' })).entries)).toEqual([[1, a, 900]]);
    expect(ranks((await service.top(as(a), { board: 'shift', period: '2026-12-08T06:00' })).entries)).toEqual([
      [1, b, 400],
      [2, a, 500],
    ]);
    for (const period of ['2026-12-08T07:00', 'all', '2026-12-08', 'yesterday']) {
      await expect(service.top(as(a), { board: 'shift', period })).rejects.toMatchObject({ reason: 'LEADERBOARD_PERIOD_INVALID' });
    }
    await expect(service.top(as(a), { board: 'nope' })).rejects.toMatchObject({ reason: 'LEADERBOARD_NOT_FOUND' });
  });
});

describe('remove()', () => {
  it('removes one entry and closes the ranks up behind it; removing it again removes nothing', async () => {
    const ids = await accounts(5);
    const { service, as, app } = game([{ id: 'score' }]);
    for (const [i, id] of ids.entries()) await service.submit(as(id), { board: 'score', score: 50 - i * 10 });
    const removed = await service.remove({ app, board: 'score', accountId: ids[2]! });
    const top = await service.top(as(ids[0]!), { board: 'score' });
    expect(top.total).toBe(4);
    expect(ranks(top.entries)).toEqual([
      [1, ids[0], 50],
      [2, ids[1], 40],
      [3, ids[3], 20],
      [4, ids[4], 10],
    ]);
    expect((await service.me(as(ids[4]!), { board: 'score' })).entry).toMatchObject({ rank: 4 });
    expect(await service.me(as(ids[2]!), { board: 'score' })).toMatchObject({ entry: null, total: 4 });
    const again = await service.remove({ app, board: 'score', accountId: ids[2]! });
    expect([removedCount(removed), removedCount(again)]).toEqual([1, 0]);
  });
});
