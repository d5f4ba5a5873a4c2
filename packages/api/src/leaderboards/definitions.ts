import { RANK_KEY_SCORE_RANGE } from '@minigate/db';
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';

/** A board a game declares (APPS_FILE's `leaderboards`, or LEADERBOARDS_FILE), every default filled. */
export interface LeaderboardDefinition {
  id: string;
  /** desc: higher scores rank first; asc: lower first. */
  sort: 'desc' | 'asc';
  /** best: keep the better of the entry and the submission; set: replace; incr: add. */
  operator: 'best' | 'set' | 'incr';
  /** never, daily, weekly (Mondays), monthly (the 1st), or a 5-field cron expression: when a new period starts. */
  reset: string;
  /** The IANA time zone the reset is read in. */
  timezone: string;
  minScore: number;
  maxScore: number;
}

/** The schedules the named resets stand for. */
export const NAMED_RESETS: Record<string, string> = { daily: '0 0 * * *', weekly: '0 0 * * 1', monthly: '0 0 1 * *' };
export const DEFAULT_LEADERBOARD_TIMEZONE = 'Asia/Shanghai';
const DEFAULT_MAX_SCORE = 2_147_483_647;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isCron(expression: string): boolean {
  if (expression.trim().split(/\s+/).length !== 5) return false;
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC' }).next();
    return true;
  } catch {
    return false;
  }
}

const wholeScore = (name: string) =>
  z
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(Number.MIN_SAFE_INTEGER, `${name} is too small`)
    .max(Number.MAX_SAFE_INTEGER, `${name} is too large`);

/** One board as a game's configuration declares it. */
export const leaderboardDefinitionSchema = z
  .strictObject({
    id: z.string({ error: 'is required' }).regex(/^[A-Za-z0-9_.-]{1,64}$/, 'id must be 1-64 letters, digits, _ . or -'),
    sort: z.enum(['desc', 'asc'], { error: 'sort must be desc or asc' }).default('desc'),
    operator: z.enum(['best', 'set', 'incr'], { error: 'operator must be best, set or incr' }).default('best'),
    reset: z
      .string({ error: 'reset must be a string' })
      .refine(
        (reset) => reset === 'never' || reset in NAMED_RESETS || isCron(reset),
        'reset must be never, daily, weekly, monthly or a 5-field cron expression (minute hour day month weekday)',
      )
      .default('never'),
    timezone: z
      .string({ error: 'timezone must be a string' })
      .refine(isTimeZone, 'timezone must be an IANA time zone, e.g. Asia/Shanghai')
      .default(DEFAULT_LEADERBOARD_TIMEZONE),
    minScore: wholeScore('minScore').default(0),
    maxScore: wholeScore('maxScore').default(DEFAULT_MAX_SCORE),
  })
  .superRefine((board, ctx) => {
    if (board.maxScore <= board.minScore) ctx.addIssue({ code: 'custom', path: ['maxScore'], message: 'maxScore must be above minScore' });
    else if (board.maxScore - board.minScore >= RANK_KEY_SCORE_RANGE)
      ctx.addIssue({ code: 'custom', path: ['maxScore'], message: 'maxScore - minScore must be below 2^48' });
  });

/** A game's boards: distinct ids, at most 100. */
export const leaderboardListSchema = z
  .array(leaderboardDefinitionSchema, { error: 'must be a list of boards: [{ "id", "sort"?, "operator"?, "reset"?, … }]' })
  .max(100, 'must declare at most 100 boards')
  .superRefine((boards, ctx) => {
    const seen = new Set<string>();
    boards.forEach((board, index) => {
      if (seen.has(board.id)) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `${board.id} is declared twice` });
      seen.add(board.id);
    });
  });

/** A board as declared, with every default filled (throws on a bad declaration). */
export function normalizeLeaderboard(raw: unknown): LeaderboardDefinition {
  return leaderboardDefinitionSchema.parse(raw);
}
