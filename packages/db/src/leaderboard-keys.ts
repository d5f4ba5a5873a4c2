// The rank key of a leaderboard entry, and the prefixes the count table keeps of it (migration 0013).

/** How a board orders its scores: what a rank key is made of. */
export interface LeaderboardOrder {
  /** desc: higher scores first; asc: lower first. */
  sort: 'desc' | 'asc';
  /** The board's score range: maxScore - minScore < 2^48. */
  minScore: number;
  maxScore: number;
}

/** The largest score range a rank key holds: its first 6 bytes. */
export const RANK_KEY_SCORE_RANGE = 2 ** 48;
/** Bytes of the rank key counted by prefix (the score and the time it was reached); the account id follows. */
export const COUNTED_KEY_BYTES = 12;
const KEY_BYTES = 20;

/**
 * 20 bytes whose ascending order is the board's: the score (6 bytes: its
 * distance from the best end of the range), then the millisecond it was
 * reached (6 bytes: earlier first), then the account id (8 bytes), so every
 * entry's key is distinct.
 */
export function leaderboardRankKey(order: LeaderboardOrder, score: number, reachedAtMs: number, accountId: number): Buffer {
  const distance = order.sort === 'desc' ? order.maxScore - score : score - order.minScore;
  if (!Number.isSafeInteger(distance) || distance < 0 || distance >= RANK_KEY_SCORE_RANGE || score < order.minScore || score > order.maxScore) {
    throw new RangeError(`score ${score} is outside the board's range ${order.minScore}..${order.maxScore}`);
  }
  const key = Buffer.alloc(KEY_BYTES);
  key.writeUIntBE(distance, 0, 6);
  key.writeUIntBE(Math.max(0, Math.floor(reachedAtMs)), 6, 6);
  key.writeBigUInt64BE(BigInt(accountId), 12);
  return key;
}

/** The account id a rank key ends with. */
export function accountOfRankKey(key: Buffer): number {
  return Number(key.readBigUInt64BE(12));
}

/** One change of the count table: `entries` added under the prefix at its level (its length). */
export interface CountDelta {
  level: number;
  prefix: Buffer;
  entries: number;
}

/**
 * What moving an entry from `before` to `after` (either null: added,
 * removed) changes in the count table: one row less under each prefix of the
 * old key and one more under each of the new, where they differ; ordered by
 * level and prefix, so concurrent changes lock the rows in one order.
 */
export function countDeltas(before: Buffer | null, after: Buffer | null): CountDelta[] {
  const deltas: CountDelta[] = [];
  for (let level = 1; level <= COUNTED_KEY_BYTES; level++) {
    const old = before?.subarray(0, level) ?? null;
    const next = after?.subarray(0, level) ?? null;
    if (old && next && old.equals(next)) continue;
    const pair: CountDelta[] = [];
    if (old) pair.push({ level, prefix: Buffer.from(old), entries: -1 });
    if (next) pair.push({ level, prefix: Buffer.from(next), entries: 1 });
    pair.sort((a, b) => Buffer.compare(a.prefix, b.prefix));
    deltas.push(...pair);
  }
  return deltas;
}

/**
 * The prefix ranges whose counts sum to the entries ordered before `key`
 * among those that differ from it in the first 12 bytes: at each level, the
 * prefixes under the same parent with a smaller last byte.
 */
export function rankRanges(key: Buffer): Array<{ level: number; from: Buffer; below: Buffer }> {
  const ranges: Array<{ level: number; from: Buffer; below: Buffer }> = [];
  for (let level = 1; level <= COUNTED_KEY_BYTES; level++) {
    if (key[level - 1] === 0) continue;
    ranges.push({ level, from: Buffer.from(key.subarray(0, level - 1)), below: Buffer.from(key.subarray(0, level)) });
  }
  return ranges;
}
