import type { LeaderboardRow } from '@minigate/db';
import type { LeaderboardDefinition } from './definitions.js';
import type { Period } from './periods.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One entry as the game sees it: the nickname and avatar as they were at the submission that made it. */
export interface EntryView {
  rank: number;
  accountId: number;
  score: number;
  nickname: string | null;
  avatarUrl: string | null;
  metadata: JsonValue | null;
  /** When the entry reached its score (ISO): ties go to the earlier. */
  reachedAt: string;
}

export function entryView(row: LeaderboardRow, rank: number): EntryView {
  return {
    rank,
    accountId: row.accountId,
    score: row.score,
    nickname: row.nickname,
    avatarUrl: row.avatarUrl,
    metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as JsonValue),
    reachedAt: row.reachedAt.toISOString(),
  };
}

export interface BoardView {
  id: string;
  sort: LeaderboardDefinition['sort'];
  operator: LeaderboardDefinition['operator'];
  reset: string;
  timezone: string;
  minScore: number;
  maxScore: number;
  /** The current period's id: `all` for a board that never resets, else its start in the board's zone (YYYY-MM-DDTHH:mm). */
  period: string;
  previousPeriod: string | null;
  /** When the current period ends (ISO), or null. */
  resetsAt: string | null;
}

export function boardView(definition: LeaderboardDefinition, period: Period, previous: Period | null): BoardView {
  return {
    id: definition.id,
    sort: definition.sort,
    operator: definition.operator,
    reset: definition.reset,
    timezone: definition.timezone,
    minScore: definition.minScore,
    maxScore: definition.maxScore,
    period: period.id,
    previousPeriod: previous?.id ?? null,
    resetsAt: period.endsAt?.toISOString() ?? null,
  };
}
