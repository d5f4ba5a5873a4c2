// The `leaderboards-*` scenarios and their board: 1,000,000 entries
// (BENCH_LEADERBOARD_ENTRIES) loaded straight into the bench database
// (LOAD DATA of leaderboard_entry with the rank keys @minigate/db computes,
// then of the count table computed from the sorted keys, as
// rebuildLeaderboardCounts would write it), the bench's logged-in players
// among them, the same members and scores in a bare Redis sorted set for the
// reference, and submissions each of which beats its player's best by a
// little (so every one writes, and no player drifts far from the rank the
// seeding gave it).
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createDatabase, leaderboardRankKey, rebuildLeaderboardCounts } from '@minigate/db';
import { createMysqlPool } from '@minigate/db/mysql-pool';
import { freePort } from '../support/processes.js';
import type { ScenarioSpec } from './bench.js';
import type { LoadStep } from './load.js';
import type { PushSource } from './pushes.js';
import { BUILT_SERVER, startServer, type ServerProcess } from './servers.js';

/** The board, as APPS_FILE declares it (every default spelled out). */
export const BENCH_BOARD = {
  id: 'score',
  sort: 'desc',
  operator: 'best',
  reset: 'never',
  timezone: 'Asia/Shanghai',
  minScore: 0,
  maxScore: 2147483647,
} as const;
/** A board that never resets has one period. */
export const BENCH_PERIOD = 'all';

/** Entries of accounts that are not the bench's players: ids from here (far above the logged-in players and push-deliver's buyers). */
export const FIRST_BOARD_ACCOUNT = 200_000_000;
/** Seeded scores lie in 0 .. SCORE_SPAN - 1: about ten entries a score, some ties (ordered by when they were reached). */
const SCORE_SPAN = 10_000_000;
/** Seeded entries were reached over the last 30 days. */
const REACHED_SPAN_MS = 30 * 24 * 3600 * 1000;
/** The rank key's bytes the count table counts by prefix (migration 0013: the score's 6 and the time's 6). */
const COUNTED_KEY_BYTES = 12;
/** Entries a LOAD DATA statement loads (a statement is a transaction: smaller ones load faster here, the redo log being small). */
const ENTRIES_PER_LOAD = 250_000;
/** Members per ZADD, and ZADDs per pipeline, for the bare sorted set. */
const MEMBERS_PER_ZADD = 2_000;

/** A small deterministic generator (mulberry32): the same board every run. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How many keys of `sorted` sort before `key`. */
function lowerBound(sorted: readonly Buffer[], key: Buffer): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (Buffer.compare(sorted[middle] as Buffer, key) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The account id an access token was issued to (its `sub`). */
export function accountOfToken(token: string): number {
  const payload = token.split('.')[1] ?? '';
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: string };
  const id = Number(claims.sub);
  if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`an access token without an account id: ${JSON.stringify(claims)}`);
  return id;
}

/** An APPS_FILE of the one bench game, with the board (written in `work`). */
export function leaderboardAppsFile(work: string, game: { appid: string; secret: string; apiBase: string }): string {
  const file = join(work, 'apps-leaderboards.json');
  writeFileSync(file, JSON.stringify([{ ...game, platform: 'wechat', leaderboards: [BENCH_BOARD] }]));
  return file;
}

/** A tRPC query's path with its input (no transformer: plain JSON). */
export const queryPath = (procedure: string, input: unknown) => `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;

export interface SeedFigures {
  entries: number;
  players: number;
  /** How the count table was filled. */
  counts: 'load' | 'rebuild';
  /** The entries made and loaded; then the count table loaded (or rebuilt); the bare sorted set filled meanwhile. */
  entrySeconds: number;
  countSeconds: number;
  redisSeconds: number;
  /** leaderboard_count's rows after the rebuild, and both tables' size on disk (data + indexes, MB, as information_schema says). */
  countRows: number;
  entryMb: number;
  countMb: number;
}

/**
 * The bench's board: `entries` entries in leaderboard_entry (the first of
 * them the players', the others of accounts FIRST_BOARD_ACCOUNT + i, which
 * need no account row: only the players submit), the count table that goes
 * with them, and the same members and scores in the bare sorted set `bareKey`.
 */
export class BenchBoard {
  private readonly pool: ReturnType<ReturnType<typeof createMysqlPool>['promise']>;
  private readonly redis: Redis;
  /** Each player's best score now (in the order of the tokens file): what the next submission must beat. */
  private best: number[] = [];
  /** The players' ranks as seeded. */
  private ranks = new Map<number, number>();
  figures: SeedFigures | null = null;

  constructor(
    private readonly databaseUrl: string,
    private readonly appid: string,
    redisUrl: string,
    /** The bare reference's sorted set. */
    readonly bareKey: string,
  ) {
    this.pool = createMysqlPool(databaseUrl, { connectionLimit: 1 }).promise();
    this.redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  }

  /**
   * Loads the board: `players` (their account ids) take the first entries,
   * their scores drawn as every other's, so their ranks spread over the whole
   * board. `counts`: `load` computes the count table here from the sorted
   * keys (the rows rebuildLeaderboardCounts writes) and loads it after the
   * entries, LOAD DATA statements of at most a million rows; `rebuild` calls
   * rebuildLeaderboardCounts (twelve grouped passes over the board, in one
   * transaction: about two minutes for 1,000,000 entries here).
   */
  async seed(entries: number, players: readonly number[], counts: 'load' | 'rebuild' = 'load'): Promise<SeedFigures> {
    if (players.length > entries) throw new Error(`${players.length} players do not fit in a board of ${entries} entries`);
    const random = generator(20);
    const now = Date.now();
    const accounts = new Float64Array(entries);
    const scores = new Float64Array(entries);
    const reached = new Float64Array(entries);
    const keys: Buffer[] = new Array<Buffer>(entries);
    const began = performance.now();
    for (let i = 0; i < entries; i++) {
      const accountId = i < players.length ? (players[i] as number) : FIRST_BOARD_ACCOUNT + i;
      const score = Math.floor(random() * SCORE_SPAN);
      const reachedAt = now - Math.floor(random() * REACHED_SPAN_MS);
      accounts[i] = accountId;
      scores[i] = score;
      reached[i] = reachedAt;
      keys[i] = leaderboardRankKey(BENCH_BOARD, score, reachedAt, accountId);
    }
    const sorted = [...keys].sort(Buffer.compare);
    const board = `appid = ${this.pool.escape(this.appid)}, board = ${this.pool.escape(BENCH_BOARD.id)}, period = ${this.pool.escape(BENCH_PERIOD)}`;
    // The entries, as LOAD DATA reads them: tab-separated, the rank key in hex, the times in UTC (DATETIME(3) as mysql2 writes them).
    const entryJob = (from: number, to: number) => ({
      target: `leaderboard_entry (account_id, score, @key, reached_at, nickname, avatar_url, update_time) SET ${board}, rank_key = UNHEX(@key), metadata = NULL`,
      *lines() {
        for (let i = from; i < to; i++) {
          const at = new Date(reached[i] as number).toISOString().slice(0, 23).replace('T', ' ');
          const avatar = `https://thirdwx.qlogo.cn/mmopen/vi_32/${(i * 2654435761).toString(16).padStart(12, '0')}bench/132`;
          yield `${accounts[i]}\t${scores[i]}\t${(keys[i] as Buffer).toString('hex')}\t${at}\tplayer ${i}\t${avatar}\t${at}`;
        }
      },
    });
    // Every prefix of 1..12 bytes of the keys, and the entries under it: in the sorted keys, a prefix's entries are one run.
    let countRows = 0;
    const countJob = (level: number) => ({
      target: `leaderboard_count (level, @prefix, entries) SET ${board}, prefix = UNHEX(@prefix)`,
      *lines() {
        let run = 0;
        for (let i = 0; i < sorted.length; i++) {
          run++;
          const key = sorted[i] as Buffer;
          const following = sorted[i + 1];
          if (following && key.compare(following, 0, level, 0, level) === 0) continue;
          yield `${level}\t${key.subarray(0, level).toString('hex')}\t${run}`;
          countRows++;
          run = 0;
        }
      },
    });
    // One LOAD DATA at a time: mysql2 writes the end of every LOCAL INFILE from one shared packet, whose header two
    // connections ending theirs at once can overwrite before it is sent ("Got packets out of order").
    const mysql = (async () => {
      for (let from = 0; from < entries; from += ENTRIES_PER_LOAD) {
        const job = entryJob(from, Math.min(entries, from + ENTRIES_PER_LOAD));
        await this.loadData(job.lines(), job.target);
      }
      const inserted = performance.now();
      if (counts === 'load') {
        for (let level = COUNTED_KEY_BYTES; level >= 1; level--) {
          const job = countJob(level);
          await this.loadData(job.lines(), job.target);
        }
      } else {
        const db = createDatabase(this.databaseUrl, { connectionLimit: 1 });
        try {
          await rebuildLeaderboardCounts(db, { appid: this.appid, board: BENCH_BOARD.id, period: BENCH_PERIOD });
        } finally {
          await db.destroy();
        }
      }
      return [inserted, performance.now()] as const;
    })();
    const redis = (async () => {
      await this.redis.connect();
      await this.redis.del(this.bareKey);
      for (let start = 0; start < entries; start += MEMBERS_PER_ZADD * 25) {
        const pipeline = this.redis.pipeline();
        for (let from = start; from < Math.min(entries, start + MEMBERS_PER_ZADD * 25); from += MEMBERS_PER_ZADD) {
          const members: Array<number | string> = [];
          for (let i = from; i < Math.min(entries, from + MEMBERS_PER_ZADD); i++) members.push(scores[i] as number, String(accounts[i]));
          pipeline.zadd(this.bareKey, ...members);
        }
        await pipeline.exec();
      }
      return performance.now();
    })();
    const [[inserted, counted], redisDone] = await Promise.all([mysql, redis]);
    this.best = players.map((_, i) => scores[i] as number);
    // The players' ranks as seeded (1 + the entries whose key sorts before theirs): what `me` answers before any submission.
    this.ranks = new Map(players.map((accountId, i) => [accountId, lowerBound(sorted, keys[i] as Buffer) + 1]));
    if (counts === 'rebuild') {
      const [[count]] = (await this.pool.query('SELECT COUNT(*) AS n FROM leaderboard_count WHERE appid = ? AND board = ?', [
        this.appid,
        BENCH_BOARD.id,
      ])) as unknown as [[{ n: number }]];
      countRows = Number(count.n);
    }
    await this.pool.query('ANALYZE TABLE leaderboard_entry, leaderboard_count');
    const sizes = (await this.pool.query(
      `SELECT table_name AS name, data_length + index_length AS bytes FROM information_schema.tables
        WHERE table_schema = DATABASE() AND table_name IN ('leaderboard_entry', 'leaderboard_count')`,
    )) as unknown as [Array<{ name: string; bytes: number }>];
    const mb = (name: string) => Math.round(Number(sizes[0].find((row) => row.name === name)?.bytes ?? 0) / 1024 / 1024);
    this.figures = {
      entries,
      players: players.length,
      counts,
      entrySeconds: Math.round(inserted - began) / 1000,
      countSeconds: Math.round(counted - inserted) / 1000,
      redisSeconds: Math.round(redisDone - began) / 1000,
      countRows,
      entryMb: mb('leaderboard_entry'),
      countMb: mb('leaderboard_count'),
    };
    return this.figures;
  }

  /** A player's rank as seeded (before any submission), or undefined. */
  seededRank(accountId: number): number | undefined {
    return this.ranks.get(accountId);
  }

  /** LOAD DATA LOCAL INFILE of these tab-separated lines (made as the server reads them) into `target` (the table, its columns and SET clause). */
  private async loadData(lines: Iterable<string>, target: string): Promise<void> {
    await this.pool.query({
      sql: `LOAD DATA LOCAL INFILE 'bench.tsv' INTO TABLE ${target}`,
      infileStreamFactory: () =>
        Readable.from(
          (function* () {
            let batch: string[] = [];
            for (const line of lines) {
              batch.push(line);
              if (batch.length === 20_000) {
                yield Buffer.from(`${batch.join('\n')}\n`);
                batch = [];
              }
            }
            if (batch.length > 0) yield Buffer.from(`${batch.join('\n')}\n`);
          })(),
        ),
    });
  }

  /**
   * The submissions of leaderboards.submit, as load lines (`<path>\t<body>`).
   * A round sends line j with the access token j of the tokens file (the
   * rotation starts again each round), so line j is the submission of
   * player j mod n: its score beats that player's best by one more than the
   * line before it did; `used` keeps the bests of the lines a round sent.
   */
  submissions(path: string): PushSource {
    return {
      lines: (count) => {
        const n = this.best.length;
        return Promise.resolve(
          Array.from({ length: count }, (_, j) => {
            const score = (this.best[j % n] as number) + 1 + Math.floor(j / n);
            return `${path}\t{"board":"${BENCH_BOARD.id}","score":${score}}`;
          }),
        );
      },
      used: (count) => {
        const n = this.best.length;
        for (let p = 0; p < n; p++) this.best[p] = (this.best[p] as number) + Math.floor(count / n) + (p < count % n ? 1 : 0);
      },
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
    this.redis.disconnect();
  }
}

/** Deletes every key under `prefix` (the bench's own: minigate's sorted sets, rate limits and codes, and the bare set). */
export async function dropRedisKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  try {
    let cursor = '0';
    let dropped = 0;
    do {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = nextCursor;
      if (keys.length > 0) dropped += await redis.unlink(...keys);
    } while (cursor !== '0');
    return dropped;
  } finally {
    redis.disconnect();
  }
}

/** A prefix of the run's own for every Redis key it makes. */
export const benchRedisPrefix = () => `minigate-bench-${randomBytes(4).toString('hex')}:`;

/** The account ids of the tokens file's players, in its order. */
export function playersOfTokens(tokensFile: string): number[] {
  return readFileSync(tokensFile, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map(accountOfToken);
}

// --- the scenarios ------------------------------------------------------------------------------

/** What the scenarios need of the bench (bench.ts's stack and settings). */
export interface LeaderboardBench {
  databaseUrl: string;
  redisUrl: string;
  work: string;
  game: { appid: string; secret: string; apiBase: string };
  /** minigate's production environment on `port` (the WECHAT_* game: left out here, APPS_FILE names it). */
  minigateEnv: (port: number, extra?: Record<string, string>) => Record<string, string>;
  startReference: (name: string, file: string, nodeFlags?: string[], extra?: Record<string, string>) => Promise<ServerProcess>;
  /** The players' access tokens, one a line (written before the scenarios run). */
  tokensFile: string;
  say: (line: string) => void;
  onCleanup: (cleanup: () => Promise<void> | void) => void;
  connections: number;
  entries: number;
  counts: 'load' | 'rebuild';
  seconds: number;
  warmupSeconds: number;
  /** Whether BENCH_ONLY selects the scenario of this key. */
  selected: (key: string) => boolean;
}

const thousands = (value: number) => Math.round(value).toLocaleString('en-US');
const input = { board: BENCH_BOARD.id };
const authed = (path: string, expect: string): LoadStep => ({ method: 'GET', path, auth: true, expect });
const STEPS = {
  top: authed(queryPath('leaderboards.top', { ...input, limit: 100 }), '"entries":[{'),
  me: authed(queryPath('leaderboards.me', input), '"entry":{'),
  around: authed(queryPath('leaderboards.around', { ...input, limit: 10 }), '"entries":[{'),
  /** The path and the body are the next line's (BenchBoard.submissions): each beats the player's best. */
  submit: { method: 'POST', path: '/trpc/leaderboards.submit', auth: true, line: true, expect: '"improved":true' } as LoadStep,
  zadd: { method: 'POST', path: '/bare/zadd', body: '{"board":"score","score":5000000}' } as LoadStep,
  zrevrange: { method: 'GET', path: '/bare/zrevrange' } as LoadStep,
  zrevrank: { method: 'GET', path: '/bare/zrevrank' } as LoadStep,
  entry: { method: 'GET', path: '/bare/entry' } as LoadStep,
};

/** The scenarios, in the order they run. */
const LEADERBOARD_SCENARIOS = ['leaderboards-one', 'leaderboards-redis', 'leaderboards-mysql'] as const;

/** Whether a Redis answers PING at this URL (within 2 s, without retrying). */
async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Starts the built server with APPS_FILE (and no WECHAT_* game, which APPS_FILE excludes). */
async function startLeaderboardServer(bench: LeaderboardBench, name: string, extra: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const env = bench.minigateEnv(port, { APPS_FILE: leaderboardAppsFile(bench.work, bench.game), ...extra });
  delete env.WECHAT_APPID;
  delete env.WECHAT_SECRET;
  delete env.WECHAT_API_BASE;
  return startServer({ name, args: [BUILT_SERVER], env, port, logFile: join(bench.work, `${name}.log`) });
}

async function getJson(server: ServerProcess, path: string, token: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json().catch(() => null) };
}

/**
 * The leaderboard scenarios BENCH_ONLY selects, in the order they must run:
 * `leaderboards-one` (me and around one call at a time: the latency of one
 * call), `leaderboards-redis` (REDIS_URL: the sorted set minigate rebuilt
 * from MySQL), `leaderboards-mysql` (no Redis: MySQL's counts). Only the last
 * submits through the server without Redis (whose writes the other's sorted
 * set would not see). The first selected seeds the board and starts the
 * servers, the last stops them and drops the Redis keys.
 */
export function leaderboardScenarios(bench: LeaderboardBench): ScenarioSpec[] {
  if (!LEADERBOARD_SCENARIOS.some((key) => bench.selected(key))) return [];
  const prefix = benchRedisPrefix();
  const board = new BenchBoard(bench.databaseUrl, bench.game.appid, bench.redisUrl, `${prefix}bare:${BENCH_BOARD.id}`);
  const servers: { mysql?: ServerProcess; redis?: ServerProcess; bare?: ServerProcess } = {};
  let prepared: Promise<string | void> | null = null;
  let rebuildSeconds: number | null = null;
  let redisReached = false;
  const rankChecks: string[] = [];
  bench.onCleanup(async () => {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
    await board.close();
    if (!redisReached) return;
    const dropped = await dropRedisKeys(bench.redisUrl, prefix);
    bench.say(`leaderboards: ${dropped} Redis keys under ${prefix} dropped`);
  });
  const running = (pick: () => ServerProcess | undefined, name: string) => () => {
    const server = pick();
    if (!server) throw new Error(`${name} is not running`);
    return server;
  };
  const mysql = running(() => servers.mysql, 'minigate without Redis');
  const redis = running(() => servers.redis, 'minigate with Redis');
  const bare = running(() => servers.bare, 'the bare leaderboard handlers');
  const c = bench.connections;

  const prepare = async (): Promise<string | void> => {
    if (!(await redisAnswers(bench.redisUrl))) return `no Redis answered at ${bench.redisUrl} (BENCH_REDIS_URL)`;
    redisReached = true;
    const players = playersOfTokens(bench.tokensFile);
    const tokens = readFileSync(bench.tokensFile, 'utf8').split('\n');
    const began = performance.now();
    const seeded = await board.seed(bench.entries, players, bench.counts);
    bench.say(
      `leaderboards: a board of ${thousands(seeded.entries)} entries (${thousands(seeded.players)} of them the players') loaded in ${((performance.now() - began) / 1000).toFixed(1)} s: entries ${seeded.entrySeconds.toFixed(1)} s, count table ${seeded.countSeconds.toFixed(1)} s (${seeded.counts === 'load' ? 'computed here' : 'rebuildLeaderboardCounts'}: ${thousands(seeded.countRows)} rows; leaderboard_entry ${seeded.entryMb} MB, leaderboard_count ${seeded.countMb} MB), the bare sorted set ${seeded.redisSeconds.toFixed(1)} s meanwhile`,
    );
    const redisPrefix = `${prefix}minigate:`;
    [servers.mysql, servers.redis, servers.bare] = await Promise.all([
      startLeaderboardServer(bench, 'minigate-leaderboards-mysql', {}),
      startLeaderboardServer(bench, 'minigate-leaderboards-redis', { REDIS_URL: bench.redisUrl, REDIS_KEY_PREFIX: redisPrefix }),
      bench.startReference('bare-leaderboard', 'bare-leaderboard.ts', [], {
        REDIS_URL: bench.redisUrl,
        BARE_BOARD_KEY: board.bareKey,
        BARE_APPID: bench.game.appid,
        BARE_BOARD: BENCH_BOARD.id,
        BARE_PERIOD: BENCH_PERIOD,
        BARE_FIRST_ACCOUNT: String(FIRST_BOARD_ACCOUNT + seeded.players),
        BARE_ACCOUNTS: String(seeded.entries - seeded.players),
      }),
    ]);
    const first = tokens[0] ?? '';
    const probe = await getJson(servers.mysql, STEPS.me.path, first);
    if (probe.status !== 200) return `leaderboards.me answered ${probe.status} ${JSON.stringify(probe.body).slice(0, 200)}`;
    // The first read of the Redis server answers from MySQL and has the sorted set built in the background; the
    // rounds start once it is ready.
    const ready = `${redisPrefix}leaderboard:{${bench.game.appid}:${BENCH_BOARD.id}:${BENCH_PERIOD}}:ready`;
    const watcher = new Redis(bench.redisUrl, { maxRetriesPerRequest: 2 });
    try {
      const asked = performance.now();
      await getJson(servers.redis, STEPS.me.path, first);
      while ((await watcher.exists(ready)) === 0) {
        if (performance.now() - asked > 600_000) return 'the Redis sorted set was not built within 10 minutes';
        await new Promise((done) => setTimeout(done, 50));
      }
      rebuildSeconds = Math.round(performance.now() - asked) / 1000;
      bench.say(
        `leaderboards: minigate built the Redis sorted set of ${thousands(Number(await watcher.get(ready)))} entries from MySQL in ${rebuildSeconds.toFixed(1)} s`,
      );
    } finally {
      watcher.disconnect();
    }
    // Every player's rank as seeded, from both servers (a sample: the first 20 players).
    for (const [name, server] of [
      ['MySQL', servers.mysql],
      ['Redis', servers.redis],
    ] as const) {
      let right = 0;
      const wrong: string[] = [];
      for (let i = 0; i < Math.min(20, players.length); i++) {
        const answer = (await getJson(server, STEPS.me.path, tokens[i] ?? '')).body as { result?: { data?: { entry?: { rank?: number } } } };
        const rank = answer.result?.data?.entry?.rank;
        const expected = board.seededRank(players[i] as number);
        if (rank === expected) right++;
        else wrong.push(`account ${players[i]}: ${rank} instead of ${expected}`);
      }
      rankChecks.push(
        `${name}: ${right} of ${right + wrong.length} players' ranks as seeded${wrong.length ? ` (${wrong.slice(0, 3).join('; ')})` : ''}`,
      );
    }
    bench.say(`leaderboards: ${rankChecks.join('; ')}`);
  };

  const boardNote = () => {
    const seeded = board.figures;
    if (!seeded) return '';
    return `a board of ${thousands(seeded.entries)} entries (${thousands(seeded.players)} of them the players', ranks spread over the board) loaded straight into MySQL: entries ${seeded.entrySeconds} s, count table ${seeded.countSeconds} s (${seeded.counts === 'load' ? 'computed from the keys here' : 'rebuildLeaderboardCounts'}: ${thousands(seeded.countRows)} rows, ${seeded.countMb} MB against leaderboard_entry's ${seeded.entryMb} MB); minigate's Redis sorted set built from MySQL in ${rebuildSeconds ?? '?'} s; ${rankChecks.join('; ')}`;
  };
  const specs: ScenarioSpec[] = [
    {
      key: 'leaderboards-one',
      title: `leaderboard of ${thousands(bench.entries)}, one call at a time`,
      unit: 'call',
      variants: [
        { key: 'me-mysql', label: 'me, MySQL', server: mysql, connections: 1, steps: [STEPS.me] },
        { key: 'me-redis', label: 'me, Redis', server: redis, connections: 1, steps: [STEPS.me] },
        { key: 'around-mysql', label: 'around 10, MySQL', server: mysql, connections: 1, steps: [STEPS.around] },
        { key: 'around-redis', label: 'around 10, Redis', server: redis, connections: 1, steps: [STEPS.around] },
        { key: 'bare-entry', label: 'bare MySQL read', server: bare, connections: 1, steps: [STEPS.entry] },
      ],
      comparisons: [
        ['me-mysql', 'bare-entry'],
        ['me-redis', 'bare-entry'],
        ['around-mysql', 'bare-entry'],
        ['around-redis', 'bare-entry'],
      ],
    },
    {
      key: 'leaderboards-redis',
      title: `leaderboard of ${thousands(bench.entries)}, REDIS_URL`,
      unit: 'call',
      variants: [
        { key: 'submit', label: 'submit', server: redis, connections: c, steps: [STEPS.submit], pushes: board.submissions(STEPS.submit.path) },
        { key: 'top', label: 'top 100', server: redis, connections: c, steps: [STEPS.top] },
        { key: 'me', label: 'me', server: redis, connections: c, steps: [STEPS.me] },
        { key: 'around', label: 'around 10', server: redis, connections: c, steps: [STEPS.around] },
        { key: 'zadd', label: 'bare ZADD', server: bare, connections: c, steps: [STEPS.zadd] },
        { key: 'zrevrange', label: 'bare ZREVRANGE 0 99', server: bare, connections: c, steps: [STEPS.zrevrange] },
        { key: 'zrevrank', label: 'bare ZREVRANK', server: bare, connections: c, steps: [STEPS.zrevrank] },
      ],
      comparisons: [
        ['submit', 'zadd'],
        ['top', 'zrevrange'],
        ['me', 'zrevrank'],
        ['around', 'zrevrank'],
      ],
    },
    {
      key: 'leaderboards-mysql',
      title: `leaderboard of ${thousands(bench.entries)}, MySQL only`,
      unit: 'call',
      variants: [
        { key: 'submit', label: 'submit', server: mysql, connections: c, steps: [STEPS.submit], pushes: board.submissions(STEPS.submit.path) },
        { key: 'top', label: 'top 100', server: mysql, connections: c, steps: [STEPS.top] },
        { key: 'me', label: 'me', server: mysql, connections: c, steps: [STEPS.me] },
        { key: 'around', label: 'around 10', server: mysql, connections: c, steps: [STEPS.around] },
        { key: 'entry', label: 'bare MySQL read', server: bare, connections: c, steps: [STEPS.entry] },
      ],
      comparisons: [
        ['submit', 'entry'],
        ['top', 'entry'],
        ['me', 'entry'],
        ['around', 'entry'],
      ],
    },
  ];
  const chosen = specs.filter((spec) => bench.selected(spec.key));
  return chosen.map((spec, index) => ({
    ...spec,
    seconds: bench.seconds,
    warmupSeconds: bench.warmupSeconds,
    note: async () =>
      [
        index === 0 ? boardNote() : '',
        spec.key === 'leaderboards-one'
          ? 'one connection: the latency of one call (the figures are each call alone, not the throughput)'
          : `${bench.connections} connections; each submit beats its player's best by a little (one write each, counted an error unless "improved":true)`,
      ]
        .filter(Boolean)
        .join('; '),
    // The first seeds and starts; the others find it done (or not available, for the same reason).
    before: () => (prepared ??= prepare()),
    ...(index === chosen.length - 1
      ? {
          after: async () => {
            await Promise.all(Object.values(servers).map((server) => server.stop()));
          },
        }
      : {}),
  }));
}
