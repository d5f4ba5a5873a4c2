import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestStack, TEST_GAMES, type TestStack } from './support/stack.js';

// Leaderboards over HTTP against a real server and MariaDB (MySQL mode): ranks with ties broken by who reached the
// score first, around/top/me, the operators, the nickname as at the submission, the errors, and the submit limit.
const GAME = TEST_GAMES.wechat.appid;
const OTHER_GAME = TEST_GAMES.wechat2.appid;
const BOARDS = [
  { id: 'score', minScore: 0, maxScore: 1_000_000 },
  { id: 'ties' },
  { id: 'time', sort: 'asc', minScore: 1, maxScore: 3_600_000 },
  { id: 'last', operator: 'set' },
  { id: 'coins', operator: 'incr', minScore: -1000, maxScore: 1000 },
  { id: 'around' },
  { id: 'pages' },
  { id: 'names' },
  { id: 'limited' },
  { id: 'daily', reset: 'daily', timezone: 'Asia/Shanghai' },
];

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack(
    { RATE_LIMIT_LOGIN: '10000/60', RATE_LIMIT_LEADERBOARD: '10/60' },
    {
      apps: [TEST_GAMES.wechat, TEST_GAMES.wechat2],
      appsFileExtras: { [GAME]: { leaderboards: BOARDS }, [OTHER_GAME]: { leaderboards: [{ id: 'other' }] } },
    },
  );
});
afterAll(async () => {
  await stack?.close();
});

type Answer = Awaited<ReturnType<typeof callProcedure>>;
function ok(answer: Answer) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.result.data;
}
const refusal = (answer: Answer) => [answer.status, answer.body.error?.data?.reason];
const fieldPaths = (answer: Answer) => (answer.body.error?.data?.fields ?? []).map((field: { path: string }) => field.path);

let logins = 0;
async function player(appid: string = GAME) {
  const login = await callProcedure(stack, 'mutation', 'auth.login', { appid, code: stack.simulator.issueCode(appid, `lb-${logins++}`) });
  const data = ok(login);
  const auth = { authorization: `Bearer ${data.accessToken as string}` };
  const call = (kind: 'query' | 'mutation', path: string, input?: unknown) => callProcedure(stack, kind, path, input, auth);
  return {
    id: data.account.id as number,
    call,
    submit: (board: string, score: number, metadata?: unknown) =>
      call('mutation', 'leaderboards.submit', { board, score, ...(metadata === undefined ? {} : { metadata }) }),
    top: (input: Record<string, unknown>) => call('query', 'leaderboards.top', input),
    around: (input: Record<string, unknown>) => call('query', 'leaderboards.around', input),
    me: (input: Record<string, unknown>) => call('query', 'leaderboards.me', input),
  };
}
type Player = Awaited<ReturnType<typeof player>>;
/** `count` new players of the game, in ascending account id order. */
const players = async (count: number) => (await Promise.all(Array.from({ length: count }, () => player()))).sort((a, b) => a.id - b.id);
const rows = (entries: Array<{ rank: number; accountId: number; score: number }>) => entries.map((e) => [e.rank, e.accountId, e.score]);

describe('ranks', () => {
  it('ties go to who reached the score first, not to the lower account id; best keeps reachedAt when not beaten', async () => {
    const [b, a, c] = await players(3); // a (who submits first) has the higher id of a and b
    expect(ok(await a!.submit('ties', 100))).toEqual({ board: 'ties', period: 'all', score: 100, rank: 1, improved: true });
    expect(ok(await b!.submit('ties', 100))).toEqual({ board: 'ties', period: 'all', score: 100, rank: 2, improved: true });
    expect(ok(await c!.submit('ties', 200))).toMatchObject({ rank: 1, improved: true });
    expect(ok(await a!.submit('ties', 50))).toEqual({ board: 'ties', period: 'all', score: 100, rank: 2, improved: false });
    expect(ok(await a!.submit('ties', 100))).toMatchObject({ score: 100, rank: 2, improved: false });
    const top = ok(await c!.top({ board: 'ties' }));
    expect(top).toMatchObject({ board: 'ties', period: 'all', total: 3, nextCursor: null });
    expect(rows(top.entries)).toEqual([
      [1, c!.id, 200],
      [2, a!.id, 100],
      [3, b!.id, 100],
    ]);
    expect(Date.parse(top.entries[1].reachedAt)).toBeLessThan(Date.parse(top.entries[2].reachedAt));
    expect(ok(await b!.submit('ties', 150))).toMatchObject({ score: 150, rank: 2, improved: true });
    expect(ok(await a!.me({ board: 'ties' }))).toMatchObject({
      board: 'ties',
      period: 'all',
      total: 3,
      entry: { rank: 3, accountId: a!.id, score: 100 },
    });
  });

  it('asc boards rank the lowest first; set replaces (the same score keeps its reach); incr adds, negatives too', async () => {
    const [a, b] = await players(2);
    ok(await a!.submit('time', 300));
    expect(ok(await b!.submit('time', 200))).toMatchObject({ rank: 1 });
    expect(ok(await a!.submit('time', 350))).toMatchObject({ score: 300, rank: 2, improved: false });
    expect(ok(await a!.submit('time', 150))).toMatchObject({ score: 150, rank: 1, improved: true });

    ok(await a!.submit('last', 100));
    expect(ok(await b!.submit('last', 100))).toMatchObject({ rank: 2 });
    expect(ok(await a!.submit('last', 100))).toMatchObject({ score: 100, rank: 1 }); // reachedAt kept: still first
    expect(ok(await a!.submit('last', 40))).toMatchObject({ score: 40, rank: 2, improved: true });
    expect(ok(await a!.submit('last', 100))).toMatchObject({ score: 100, rank: 2, improved: true }); // b reached 100 first now

    expect(ok(await a!.submit('coins', 10))).toMatchObject({ score: 10, improved: true });
    expect(ok(await a!.submit('coins', 5))).toMatchObject({ score: 15, improved: true });
    expect(ok(await a!.submit('coins', -3))).toMatchObject({ score: 12, rank: 1, improved: true });
    expect(ok(await a!.me({ board: 'coins' })).entry).toMatchObject({ score: 12, rank: 1 });
  });

  it('around: the player near the middle, more below near the top, more above near the bottom', async () => {
    const nine = await players(9);
    await Promise.all(nine.map((one, i) => one.submit('around', (i + 1) * 10).then(ok))); // nine[i] ranks 9 - i
    const byRank = [...nine].reverse();
    const ranksAround = async (who: Player, limit?: number) => {
      const answer = ok(await who.around({ board: 'around', ...(limit === undefined ? {} : { limit }) }));
      expect(answer).toMatchObject({ board: 'around', period: 'all', total: 9 });
      for (const entry of answer.entries) expect(entry.accountId).toBe(byRank[entry.rank - 1]!.id);
      return answer.entries.map((entry: { rank: number }) => entry.rank);
    };
    expect(await ranksAround(byRank[0]!, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(await ranksAround(byRank[1]!, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(await ranksAround(byRank[4]!, 5)).toEqual([3, 4, 5, 6, 7]);
    expect(await ranksAround(byRank[5]!, 3)).toEqual([5, 6, 7]);
    expect(await ranksAround(byRank[7]!, 5)).toEqual([5, 6, 7, 8, 9]);
    expect(await ranksAround(byRank[8]!, 5)).toEqual([5, 6, 7, 8, 9]);
    expect([
      [3, 4, 5, 6],
      [4, 5, 6, 7],
    ]).toContainEqual(await ranksAround(byRank[4]!, 4));
    expect(await ranksAround(byRank[8]!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]); // default 10: the whole board
    expect(await ranksAround(byRank[0]!, 100)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const outsider = await player();
    expect(ok(await outsider.around({ board: 'around' }))).toMatchObject({ entries: [], total: 9 });
    expect(ok(await outsider.me({ board: 'around' }))).toMatchObject({ entry: null, total: 9 });
    for (const [index, one] of byRank.entries()) expect(ok(await one.me({ board: 'around' })).entry.rank).toBe(index + 1);
  });

  it('top pages through ties with cursor: every entry once, in order, total each time', async () => {
    const many = await players(25);
    // Submitted in descending id order, four to a score: reach, not the account id, orders each tie.
    const submitted = [...many].reverse();
    const scoreOf = (index: number) => 100 - Math.floor(index / 4) * 10;
    for (const [index, one] of submitted.entries()) ok(await one.submit('pages', scoreOf(index)));
    const expected = submitted.map((one, index) => [index + 1, one.id, scoreOf(index)]);
    const first = ok(await many[0]!.top({ board: 'pages' }));
    expect([first.entries.length, first.total, typeof first.nextCursor]).toEqual([10, 25, 'string']);
    const read: unknown[] = [...rows(first.entries)];
    let cursor: string | null = first.nextCursor;
    let pages = 1;
    while (cursor) {
      const page = ok(await many[0]!.top({ board: 'pages', limit: 7, cursor }));
      expect(page.total).toBe(25);
      read.push(...rows(page.entries));
      cursor = page.nextCursor;
      pages++;
    }
    expect(read).toEqual(expected);
    expect(pages).toBe(4); // 10 + 7 + 7 + 1
    const all = ok(await many[0]!.top({ board: 'pages', limit: 100 }));
    expect([rows(all.entries), all.nextCursor]).toEqual([expected, null]);
  });
});

describe('entries', () => {
  it('keep the nickname and avatar of their submission until the next improving one; metadata as sent', async () => {
    const [named, reader] = await players(2);
    const profile = (nickName: string) =>
      named!.call('mutation', 'account.updateProfile', { nickName, avatarUrl: `https://example.com/${nickName}.png` });
    ok(await profile('Alpha'));
    ok(await named!.submit('names', 100, { level: 3, build: 'a1' }));
    const seen = async () => ok(await reader!.top({ board: 'names' })).entries[0];
    expect(await seen()).toMatchObject({
      accountId: named!.id,
      nickname: 'Alpha',
      avatarUrl: 'https://example.com/Alpha.png',
      metadata: { level: 3, build: 'a1' },
    });
    expect(Number.isNaN(Date.parse((await seen()).reachedAt))).toBe(false);
    ok(await profile('Beta'));
    expect(await seen()).toMatchObject({ nickname: 'Alpha', avatarUrl: 'https://example.com/Alpha.png' });
    expect(ok(await named!.submit('names', 90))).toMatchObject({ improved: false });
    expect(await seen()).toMatchObject({ nickname: 'Alpha', avatarUrl: 'https://example.com/Alpha.png', metadata: { level: 3, build: 'a1' } });
    expect(ok(await named!.submit('names', 120, { level: 4 }))).toMatchObject({ improved: true });
    expect(await seen()).toMatchObject({ nickname: 'Beta', avatarUrl: 'https://example.com/Beta.png', score: 120, metadata: { level: 4 } });
  });

  it('boards lists the game’s boards with every default filled, and the current period of a daily one', async () => {
    const someone = await player();
    const shanghaiDay = (ms: number) =>
      new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
    const dailyAt = (ms: number) => {
      const start = Date.parse(`${shanghaiDay(ms)}T00:00:00+08:00`);
      return { period: `${shanghaiDay(start)}T00:00`, previousPeriod: `${shanghaiDay(start - 86_400_000)}T00:00`, resetsAt: start + 86_400_000 };
    };
    const before = dailyAt(Date.now());
    const { boards } = ok(await someone.call('query', 'leaderboards.boards'));
    const after = dailyAt(Date.now());
    expect(boards.map((one: { id: string }) => one.id)).toEqual(BOARDS.map((one) => one.id));
    expect(boards[0]).toEqual({
      id: 'score',
      sort: 'desc',
      operator: 'best',
      reset: 'never',
      timezone: 'Asia/Shanghai',
      minScore: 0,
      maxScore: 1_000_000,
      period: 'all',
      previousPeriod: null,
      resetsAt: null,
    });
    expect(boards[1]).toMatchObject({ id: 'ties', minScore: 0, maxScore: 2_147_483_647, sort: 'desc', operator: 'best' });
    const daily = boards.find((one: { id: string }) => one.id === 'daily');
    expect([before, after]).toContainEqual({ period: daily.period, previousPeriod: daily.previousPeriod, resetsAt: Date.parse(daily.resetsAt) });
    const submitted = ok(await someone.submit('daily', 5));
    expect(submitted.period).toBe(daily.period);
    expect(rows(ok(await someone.top({ board: 'daily', period: daily.period })).entries)).toEqual([[1, someone.id, 5]]);
    expect(ok(await someone.top({ board: 'daily', period: daily.previousPeriod }))).toMatchObject({ entries: [], total: 0 });
    const elsewhere = await player(OTHER_GAME);
    expect(ok(await elsewhere.call('query', 'leaderboards.boards')).boards.map((one: { id: string }) => one.id)).toEqual(['other']);
  });
});

describe('errors', () => {
  it('an unknown board, or another game’s, is 404 LEADERBOARD_NOT_FOUND', async () => {
    const [here, there] = [await player(), await player(OTHER_GAME)];
    ok(await there.submit('other', 1));
    for (const answer of [
      await here.submit('nope', 1),
      await here.top({ board: 'nope' }),
      await here.around({ board: 'nope' }),
      await here.me({ board: 'nope' }),
      await here.submit('other', 1),
      await here.top({ board: 'other' }),
      await there.top({ board: 'score' }),
      await there.submit('score', 1),
    ]) {
      expect(refusal(answer)).toEqual([404, 'LEADERBOARD_NOT_FOUND']);
    }
    expect((await callProcedure(stack, 'query', 'leaderboards.top', { board: 'score' })).status).toBe(401);
  });

  it('a score out of range is 400 with min and max; a bad period is 400 LEADERBOARD_PERIOD_INVALID', async () => {
    const one = await player();
    for (const score of [-1, 1_000_001]) {
      const answer = await one.submit('score', score);
      expect(refusal(answer)).toEqual([400, 'LEADERBOARD_SCORE_OUT_OF_RANGE']);
      expect(answer.body.error.data).toMatchObject({ min: 0, max: 1_000_000 });
    }
    expect(refusal(await one.submit('coins', 1001))).toEqual([400, 'LEADERBOARD_SCORE_OUT_OF_RANGE']);
    expect(refusal(await one.submit('time', 0))).toEqual([400, 'LEADERBOARD_SCORE_OUT_OF_RANGE']);
    expect((await one.submit('score', 1.5)).status).toBe(400);
    expect(ok(await one.me({ board: 'score' })).entry).toBeNull();
    // Well-formed ids that are no period of the board.
    for (const [board, period] of [
      ['score', '2026-01-01T00:00'],
      ['daily', 'all'],
      ['daily', '2026-01-01T00:30'],
      ['daily', '2026-13-01T00:00'],
      ['daily', '2999-01-01T00:00'], // a period to come
    ] as const) {
      expect(refusal(await one.top({ board, period })), `${board} ${period}`).toEqual([400, 'LEADERBOARD_PERIOD_INVALID']);
      expect(refusal(await one.me({ board, period })), `${board} ${period}`).toEqual([400, 'LEADERBOARD_PERIOD_INVALID']);
      expect(refusal(await one.around({ board, period })), `${board} ${period}`).toEqual([400, 'LEADERBOARD_PERIOD_INVALID']);
    }
    // Not even shaped like one: refused by the input's schema, the field named.
    const shapeless = await one.top({ board: 'score', period: 'yesterday' });
    expect([shapeless.status, fieldPaths(shapeless)]).toEqual([400, ['period']]);
  });

  it('limit outside 1..100 and metadata over 1024 bytes are 400 with the field named', async () => {
    const one = await player();
    for (const limit of [0, 101, 2.5]) {
      for (const answer of [await one.top({ board: 'score', limit }), await one.around({ board: 'score', limit })]) {
        expect(answer.status).toBe(400);
        expect(fieldPaths(answer)).toContain('limit');
      }
    }
    ok(await one.top({ board: 'score', limit: 100 }));
    const tooBig = await one.submit('score', 10, { m: 'x'.repeat(1017) }); // 1025 bytes as JSON
    expect(tooBig.status).toBe(400);
    expect(fieldPaths(tooBig)).toContain('metadata');
    expect(ok(await one.me({ board: 'score' })).entry).toBeNull();
    ok(await one.submit('score', 10, { m: 'x'.repeat(1016) })); // 1024 bytes
    expect(ok(await one.me({ board: 'score' })).entry.metadata).toEqual({ m: 'x'.repeat(1016) });
  });

  it('the 11th submit within the window is 429 (RATE_LIMIT_LEADERBOARD=10/60); reads and other players go on', async () => {
    const [eager, calm] = await players(2);
    for (let i = 1; i <= 10; i++) ok(await eager!.submit('limited', i));
    const refused = await eager!.submit('limited', 11);
    expect(refusal(refused)).toEqual([429, 'RATE_LIMITED']);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(ok(await eager!.me({ board: 'limited' })).entry).toMatchObject({ score: 10, rank: 1 });
    expect(ok(await calm!.submit('limited', 5))).toMatchObject({ rank: 2 });
  });
});
