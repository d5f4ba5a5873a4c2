import {
  accountOfRankKey,
  countLeaderboardBefore,
  countLeaderboardEntries,
  findLeaderboardEntry,
  leaderboardEntriesOf,
  leaderboardNeighbours,
  leaderboardPage,
  recordAudit,
  removeLeaderboardEntries,
  submitLeaderboardScore,
  type BoardPeriod,
  type Database,
  type Kysely,
  type LeaderboardRow,
  type RemovedLeaderboardEntry,
} from '@minigate/db';
import type { ServiceLogger } from '../services/service-logger.js';
import type { RedisClient } from '../stores/redis-client.js';
import type { LeaderboardDefinition } from './definitions.js';
import { boardNotFound, periodInvalid, scoreOutOfRange } from './leaderboard-errors.js';
import { createBoardPeriods, type BoardPeriods, type Period } from './periods.js';
import { createRedisRanks, type RedisRanks } from './redis-ranks.js';
import { boardView, entryView, type BoardView, type EntryView, type JsonValue } from './views.js';

/** Who asks: the player and the game their session signed in to (null: the first WeChat game). */
export interface LeaderboardPlayer {
  accountId: number;
  app: string | null;
}

export interface LeaderboardServiceOptions {
  db: Kysely<Database>;
  /** Each game's boards, by appid. */
  boards: Readonly<Record<string, readonly LeaderboardDefinition[]>>;
  /** The game of a session from before several games (null appid). */
  defaultApp?: string | null;
  /** REDIS_URL: rank reads from sorted sets; null: from MySQL's counts. */
  redis: RedisClient | null;
  redisKeyPrefix: string;
  logger?: ServiceLogger;
  now?: () => number;
}

interface Board {
  appid: string;
  definition: LeaderboardDefinition;
  periods: BoardPeriods;
}

/** Entries a page or a neighbourhood holds when the call does not say. */
export const DEFAULT_LIMIT = 10;

const silent: ServiceLogger = { info() {}, warn() {}, error() {} };

/** One page of a board, the player's neighbourhood, or the player's entry: the period read and the board's size. */
export interface BoardPage {
  board: string;
  period: string;
  entries: EntryView[];
  total: number;
}

/**
 * What leaderboards.* call (an interface, not the factory's return type: the
 * router's type, which the game's client bundles, must not carry the
 * factory's database and Redis types).
 */
export interface LeaderboardService {
  boards(player: LeaderboardPlayer): Promise<{ boards: BoardView[] }>;
  submit(
    player: LeaderboardPlayer,
    input: { board: string; score: number; metadata?: JsonValue | undefined },
  ): Promise<{ board: string; period: string; score: number; rank: number; improved: boolean }>;
  top(
    player: LeaderboardPlayer,
    input: { board: string; limit?: number | undefined; cursor?: string | undefined; period?: string | undefined },
  ): Promise<BoardPage & { nextCursor: string | null }>;
  around(player: LeaderboardPlayer, input: { board: string; limit?: number | undefined; period?: string | undefined }): Promise<BoardPage>;
  me(
    player: LeaderboardPlayer,
    input: { board: string; period?: string | undefined },
  ): Promise<{ board: string; period: string; entry: EntryView | null; total: number }>;
}

/** The operators' side and the upkeep, kept out of LeaderboardService so the players' router type stays plain (no Buffer). */
export interface LeaderboardUpkeep {
  remove(target: { app: string; board: string; accountId: number; period?: string }): Promise<RemovedLeaderboardEntry[]>;
  removeAsOperator(removal: {
    app: string;
    board: string;
    accountId: number;
    period?: string;
    reason: string;
    by: string;
  }): Promise<RemovedLeaderboardEntry[]>;
  forget(removed: readonly RemovedLeaderboardEntry[]): Promise<void>;
  settled(): Promise<void>;
}

export function createLeaderboardService(options: LeaderboardServiceOptions): LeaderboardService & LeaderboardUpkeep {
  const { db } = options;
  const now = options.now ?? Date.now;
  const boards = new Map<string, Board>();
  for (const [appid, definitions] of Object.entries(options.boards)) {
    for (const definition of definitions)
      boards.set(`${appid}\u0000${definition.id}`, { appid, definition, periods: createBoardPeriods(definition) });
  }
  const ranks: RedisRanks | null = options.redis
    ? createRedisRanks({ db, redis: options.redis, keyPrefix: options.redisKeyPrefix, logger: options.logger ?? silent, now })
    : null;

  function boardOf(player: LeaderboardPlayer, id: string): Board {
    const appid = player.app ?? options.defaultApp ?? '';
    const board = boards.get(`${appid}\u0000${id}`);
    if (!board) throw boardNotFound(id, appid);
    return board;
  }

  /** The period asked for (a past one stays readable), or the current one. */
  function periodOf(board: Board, asked: string | undefined): Period {
    const current = board.periods.at(now());
    if (asked === undefined || asked === current.id) return current;
    const period = board.periods.parse(asked);
    if (!period || (period.startsAt && period.startsAt.getTime() > now())) throw periodInvalid(asked, board.definition.id, current.id);
    return period;
  }

  const where = (board: Board, period: Period): BoardPeriod => ({ appid: board.appid, board: board.definition.id, period: period.id });

  /** The 1-based rank of a key, and the board's size: Redis when it answers, else MySQL's counts. */
  async function rankOf(at: BoardPeriod, key: Buffer): Promise<{ rank: number; total: number }> {
    const fromRedis = ranks ? await ranks.rank(at, key) : null;
    if (fromRedis && fromRedis.rank !== null) return { rank: fromRedis.rank + 1, total: fromRedis.total };
    const counted = await countLeaderboardBefore(db, at, key);
    return { rank: counted.before + 1, total: counted.total };
  }

  /** The entries of these keys, in this order, from MySQL (an entry gone meanwhile is left out). */
  async function rowsOf(at: BoardPeriod, keys: readonly Buffer[]): Promise<LeaderboardRow[]> {
    const rows = await leaderboardEntriesOf(db, at, keys.map(accountOfRankKey));
    const byAccount = new Map(rows.map((row) => [row.accountId, row]));
    return keys.flatMap((key) => byAccount.get(accountOfRankKey(key)) ?? []);
  }

  /** Takes entries that left MySQL (a removal, an account's deletion) out of the sorted sets too. */
  async function forget(removed: readonly RemovedLeaderboardEntry[]): Promise<void> {
    if (!ranks) return;
    for (const entry of removed) await ranks.forget(entry, entry.accountId);
  }

  const numbered = (rows: readonly LeaderboardRow[], firstRank: number): EntryView[] => rows.map((row, index) => entryView(row, firstRank + index));

  return {
    /** The boards of the session's game, with their current and previous periods. */
    async boards(player: LeaderboardPlayer): Promise<{ boards: BoardView[] }> {
      const appid = player.app ?? options.defaultApp ?? '';
      const mine = [...boards.values()].filter((board) => board.appid === appid);
      return {
        boards: mine.map((board) => {
          const period = board.periods.at(now());
          return boardView(board.definition, period, board.periods.before(period));
        }),
      };
    },

    async submit(player: LeaderboardPlayer, input: { board: string; score: number; metadata?: JsonValue | undefined }) {
      const board = boardOf(player, input.board);
      const { minScore, maxScore } = board.definition;
      const at = now();
      const period = board.periods.at(at);
      const place = where(board, period);
      if (board.definition.operator !== 'incr' && (input.score < minScore || input.score > maxScore))
        throw scoreOutOfRange(input.score, minScore, maxScore);
      const outcome = await submitLeaderboardScore(db, place, board.definition, {
        accountId: player.accountId,
        score: input.score,
        operator: board.definition.operator,
        metadata: input.metadata === undefined ? null : JSON.stringify(input.metadata),
        at: new Date(at),
      });
      if (outcome.kind === 'out-of-range') throw scoreOutOfRange(outcome.score, minScore, maxScore);
      if (outcome.kind === 'no-account') throw boardNotFound(input.board, place.appid);
      if (outcome.kind === 'changed' && ranks) await ranks.record(place, player.accountId, outcome.entry.rankKey, outcome.previousKey);
      const { rank } = await rankOf(place, outcome.entry.rankKey);
      return { board: board.definition.id, period: period.id, score: outcome.entry.score, rank, improved: outcome.kind === 'changed' };
    },

    async top(
      player: LeaderboardPlayer,
      input: { board: string; limit?: number | undefined; cursor?: string | undefined; period?: string | undefined },
    ) {
      const board = boardOf(player, input.board);
      const period = periodOf(board, input.period);
      const place = where(board, period);
      const limit = input.limit ?? DEFAULT_LIMIT;
      const after = input.cursor === undefined ? null : Buffer.from(input.cursor, 'hex');
      let rows: LeaderboardRow[];
      let firstRank: number;
      let total: number;
      const fromRedis = ranks
        ? after
          ? await ranks.after(place, after, limit)
          : await ranks.range(place, 0, limit - 1).then((page) => page && { ...page, firstRank: 0 })
        : null;
      if (fromRedis) {
        rows = await rowsOf(place, fromRedis.keys);
        firstRank = fromRedis.firstRank + 1;
        total = fromRedis.total;
      } else {
        rows = await leaderboardPage(db, place, after, limit);
        const counted = rows[0] && after ? await countLeaderboardBefore(db, place, rows[0].rankKey) : null;
        firstRank = counted ? counted.before + 1 : 1;
        total = counted ? counted.total : await countLeaderboardEntries(db, place);
      }
      const last = rows[rows.length - 1];
      return {
        board: board.definition.id,
        period: period.id,
        entries: numbered(rows, firstRank),
        nextCursor: rows.length === limit && last ? last.rankKey.toString('hex') : null,
        total,
      };
    },

    async around(player: LeaderboardPlayer, input: { board: string; limit?: number | undefined; period?: string | undefined }) {
      const board = boardOf(player, input.board);
      const period = periodOf(board, input.period);
      const place = where(board, period);
      const mine = await findLeaderboardEntry(db, place, player.accountId);
      if (!mine) return { board: board.definition.id, period: period.id, entries: [], total: await countLeaderboardEntries(db, place) };
      const { rank, total } = await rankOf(place, mine.rankKey);
      // The player as near the middle as the board allows: fewer above near the top, fewer below near the bottom.
      const wanted = Math.min(input.limit ?? DEFAULT_LIMIT, total);
      let above = Math.min(rank - 1, Math.floor((wanted - 1) / 2));
      const below = Math.min(total - rank, wanted - 1 - above);
      above = Math.min(rank - 1, wanted - 1 - below);
      const window = ranks ? await ranks.range(place, rank - 1 - above, rank - 1 + below) : null;
      let rows: LeaderboardRow[];
      if (window) rows = await rowsOf(place, window.keys);
      else {
        const neighbours = await leaderboardNeighbours(db, place, mine.rankKey, above, below);
        rows = [...neighbours.above.reverse(), mine, ...neighbours.below];
        above = neighbours.above.length;
      }
      return { board: board.definition.id, period: period.id, entries: numbered(rows, rank - above), total };
    },

    async me(player: LeaderboardPlayer, input: { board: string; period?: string | undefined }) {
      const board = boardOf(player, input.board);
      const period = periodOf(board, input.period);
      const place = where(board, period);
      const mine = await findLeaderboardEntry(db, place, player.accountId);
      if (!mine) return { board: board.definition.id, period: period.id, entry: null, total: await countLeaderboardEntries(db, place) };
      const { rank, total } = await rankOf(place, mine.rankKey);
      return { board: board.definition.id, period: period.id, entry: entryView(mine, rank), total };
    },

    /** The operator's removal (a cheater): the player's entries on a board, of one period or all; the ranks behind close up. */
    async remove(target: { app: string; board: string; accountId: number; period?: string }): Promise<RemovedLeaderboardEntry[]> {
      const board = boardOf({ accountId: target.accountId, app: target.app }, target.board);
      if (target.period !== undefined) periodOf(board, target.period);
      const removed = await removeLeaderboardEntries(db, {
        accountId: target.accountId,
        appid: target.app,
        board: target.board,
        ...(target.period !== undefined ? { period: target.period } : {}),
      });
      await forget(removed);
      return removed;
    },

    /** The operator's removal (pnpm admin remove-score, the console), kept in the player's audit log with why and by whom. */
    async removeAsOperator({
      reason,
      by,
      ...target
    }: {
      app: string;
      board: string;
      accountId: number;
      period?: string;
      reason: string;
      by: string;
    }) {
      const removed = await this.remove(target);
      if (removed.length > 0) {
        const why = `${target.app}/${target.board} (${removed.map((entry) => entry.period).join(', ')}): ${reason}`;
        await recordAudit(db, { accountId: target.accountId, action: 'remove_leaderboard_entry', reason: why.slice(0, 255), actor: by });
      }
      return removed;
    },

    forget,

    /** Resolves once the sorted sets being built have been (tests). */
    settled: () => ranks?.settled() ?? Promise.resolve(),
  };
}
