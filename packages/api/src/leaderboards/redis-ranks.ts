import { createHash, randomUUID } from 'node:crypto';
import { leaderboardKeysPage, leaderboardKeysWrittenSince, type BoardPeriod, type Database, type Kysely } from '@minigate/db';
import type { RedisClient } from '../stores/redis-client.js';
import type { ServiceLogger } from '../services/service-logger.js';

// A board's order in Redis, when REDIS_URL is set: a sorted set whose members are the entries' rank keys (hex, all
// scored 0, so Redis orders them by the key's bytes: the board's order), a hash of each player's member, and a
// `ready` mark. MySQL stays the record: the set is built from it when missing (a new period, a flushed or restarted
// Redis), read only while `ready` is there, and rebuilt every READY_TTL_MS, so a write that reached MySQL but not
// Redis (Redis away at that moment) is healed within that time. While it is built, reads count in MySQL.

const READY_TTL_MS = 6 * 3600_000;
/** How far back a rebuild catches up with writes it may have missed (a transaction that began before it). */
const CATCH_UP_MS = 30_000;
const PAGE = 5_000;

/**
 * Moves a player's member to the new key (ARGV: account, key hex, the key it replaces in MySQL: hex, '' for none,
 * '*' for any), only while the set is ready. A member other than the one replaced means two instances' writes of
 * one player arrived out of order: the set is marked for a rebuild instead of being left wrong.
 */
const RECORD = `
if redis.call('EXISTS', KEYS[3]) == 0 then return 0 end
local old = redis.call('HGET', KEYS[2], ARGV[1])
if ARGV[3] ~= '*' and (old or '') ~= ARGV[3] then
  redis.call('DEL', KEYS[3])
  return 0
end
if old then redis.call('ZREM', KEYS[1], old) end
redis.call('ZADD', KEYS[1], 0, ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1`;

/** Takes a player's member off (ARGV: account); while a rebuild runs, marks it dirty so it is built again. */
const FORGET = `
if redis.call('EXISTS', KEYS[4]) == 1 then redis.call('SET', KEYS[5], '1', 'PX', 300000) end
if redis.call('EXISTS', KEYS[3]) == 0 then return 0 end
local old = redis.call('HGET', KEYS[2], ARGV[1])
if old then redis.call('ZREM', KEYS[1], old) end
redis.call('HDEL', KEYS[2], ARGV[1])
return 1`;

/** The rank (0-based, -1 when absent) of a key and the set's size; false while the set is not ready. */
const RANK = `
if redis.call('EXISTS', KEYS[3]) == 0 then return false end
local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
return { rank or -1, redis.call('ZCARD', KEYS[1]) }`;

/** Members from rank ARGV[1] to ARGV[2] and the set's size; false while not ready. */
const RANGE = `
if redis.call('EXISTS', KEYS[3]) == 0 then return false end
return { redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2]), redis.call('ZCARD', KEYS[1]) }`;

/** Up to ARGV[2] members after the key ARGV[1], how many members come up to it, and the set's size. */
const AFTER = `
if redis.call('EXISTS', KEYS[3]) == 0 then return false end
local bound = '(' .. ARGV[1]
return { redis.call('ZRANGE', KEYS[1], bound, '+', 'BYLEX', 'LIMIT', 0, tonumber(ARGV[2])),
  redis.call('ZLEXCOUNT', KEYS[1], '-', '[' .. ARGV[1]), redis.call('ZCARD', KEYS[1]) }`;

const sha = (script: string) => createHash('sha1').update(script).digest('hex');

export interface RedisRanks {
  /** After a change reached MySQL: the player's member moves from `previous` (null: none) to its new key. */
  record(where: BoardPeriod, accountId: number, key: Buffer, previous: Buffer | null): Promise<void>;
  /** After an entry left MySQL. */
  forget(where: BoardPeriod, accountId: number): Promise<void>;
  /** The 0-based rank of a key (null: not on the board) and the board's size; null when Redis cannot answer now. */
  rank(where: BoardPeriod, key: Buffer): Promise<{ rank: number | null; total: number } | null>;
  /** The keys from rank `start` to `stop` (0-based, inclusive); null when Redis cannot answer now. */
  range(where: BoardPeriod, start: number, stop: number): Promise<{ keys: Buffer[]; total: number } | null>;
  /** Up to `limit` keys after `after`, and the 0-based rank of the first of them; null when Redis cannot answer now. */
  after(where: BoardPeriod, after: Buffer, limit: number): Promise<{ keys: Buffer[]; firstRank: number; total: number } | null>;
  /** Resolves when the rebuilds started by this instance have ended (tests, shutdown). */
  settled(): Promise<void>;
}

export function createRedisRanks(options: {
  db: Kysely<Database>;
  redis: RedisClient;
  keyPrefix: string;
  logger: ServiceLogger;
  now: () => number;
}): RedisRanks {
  const { db, redis, logger } = options;
  const building = new Map<string, Promise<void>>();
  const keysOf = (where: BoardPeriod) => {
    // One hash tag: every key of a board's period lives in one slot of a Redis Cluster.
    const base = `${options.keyPrefix}leaderboard:{${where.appid}:${where.board}:${where.period}}`;
    return { set: `${base}:set`, members: `${base}:members`, ready: `${base}:ready`, lock: `${base}:building`, dirty: `${base}:dirty` };
  };

  async function run(script: string, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(sha(script), keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      return redis.eval(script, keys.length, ...keys, ...args);
    }
  }

  /** A read that Redis could not answer (not ready, or away): built in the background, and MySQL answers meanwhile. */
  function notReady(where: BoardPeriod): null {
    const name = keysOf(where).set;
    if (!building.has(name)) {
      const build = rebuild(where)
        .catch((error: unknown) =>
          logger.warn({ board: where.board, period: where.period, error: (error as Error).message }, 'leaderboard index not rebuilt'),
        )
        .finally(() => building.delete(name));
      building.set(name, build);
    }
    return null;
  }

  async function rebuild(where: BoardPeriod): Promise<void> {
    const keys = keysOf(where);
    const token = randomUUID();
    if ((await redis.set(keys.lock, token, 'PX', 120_000, 'NX')) !== 'OK') return;
    const started = new Date(options.now() - CATCH_UP_MS);
    const buildSet = `${keys.set}:${token}`;
    const buildMembers = `${keys.members}:${token}`;
    try {
      await redis.del(keys.dirty);
      let after: Buffer | null = null;
      let count = 0;
      for (;;) {
        const page = await leaderboardKeysPage(db, where, after, PAGE);
        if (page.length === 0) break;
        const pipeline = redis.pipeline();
        pipeline.zadd(buildSet, ...page.flatMap((entry) => [0, entry.rankKey.toString('hex')]));
        pipeline.hset(buildMembers, ...page.flatMap((entry) => [String(entry.accountId), entry.rankKey.toString('hex')]));
        await pipeline.exec();
        count += page.length;
        after = page[page.length - 1]!.rankKey;
      }
      const swap = redis.multi();
      if (count > 0) swap.rename(buildSet, keys.set).rename(buildMembers, keys.members);
      else swap.del(keys.set, keys.members);
      await swap.set(keys.ready, String(count), 'PX', READY_TTL_MS).exec();
      for (const entry of await leaderboardKeysWrittenSince(db, where, started)) {
        await run(RECORD, [keys.set, keys.members, keys.ready], [entry.accountId, entry.rankKey.toString('hex'), '*']);
      }
      // An entry removed while the set was built may be in it: build it again at the next read.
      if ((await redis.get(keys.dirty)) !== null) await redis.del(keys.ready);
    } finally {
      await redis.del(buildSet, buildMembers);
      if ((await redis.get(keys.lock)) === token) await redis.del(keys.lock);
    }
  }

  /** Redis away: MySQL answers, and the next read tries again. */
  async function read<T>(where: BoardPeriod, call: () => Promise<T | null>): Promise<T | null> {
    try {
      return (await call()) ?? notReady(where);
    } catch (error) {
      logger.warn({ board: where.board, error: (error as Error).message }, 'leaderboard read from MySQL: Redis did not answer');
      return null;
    }
  }

  const hex = (members: string[]) => members.map((member) => Buffer.from(member, 'hex'));

  return {
    async record(where, accountId, key, previous) {
      const keys = keysOf(where);
      try {
        await run(RECORD, [keys.set, keys.members, keys.ready], [accountId, key.toString('hex'), previous?.toString('hex') ?? '']);
      } catch (error) {
        // The set no longer matches MySQL: have it built again (if Redis hears even that).
        logger.warn({ board: where.board, error: (error as Error).message }, 'leaderboard index missed a write');
        await redis.del(keys.ready).catch(() => undefined);
      }
    },
    async forget(where, accountId) {
      const keys = keysOf(where);
      try {
        await run(FORGET, [keys.set, keys.members, keys.ready, keys.lock, keys.dirty], [accountId]);
      } catch (error) {
        logger.warn({ board: where.board, error: (error as Error).message }, 'leaderboard index missed a removal');
        await redis.del(keys.ready).catch(() => undefined);
      }
    },
    rank: (where, key) =>
      read(where, async () => {
        const answer = (await run(RANK, Object.values(keysOf(where)).slice(0, 3), [key.toString('hex')])) as [number, number] | null;
        return answer ? { rank: answer[0] < 0 ? null : answer[0], total: answer[1] } : null;
      }),
    range: (where, start, stop) =>
      read(where, async () => {
        const answer = (await run(RANGE, Object.values(keysOf(where)).slice(0, 3), [start, stop])) as [string[], number] | null;
        return answer ? { keys: hex(answer[0]), total: answer[1] } : null;
      }),
    after: (where, after, limit) =>
      read(where, async () => {
        const answer = (await run(AFTER, Object.values(keysOf(where)).slice(0, 3), [after.toString('hex'), limit])) as
          [string[], number, number] | null;
        return answer ? { keys: hex(answer[0]), firstRank: answer[1], total: answer[2] } : null;
      }),
    async settled() {
      await Promise.all([...building.values()]);
    },
  };
}
