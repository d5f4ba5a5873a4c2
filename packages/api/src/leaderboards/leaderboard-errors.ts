import { MinigateError } from '../errors.js';

/** 404 LEADERBOARD_NOT_FOUND: the session's game declares no such board. */
export function boardNotFound(board: string, appid: string): MinigateError {
  return new MinigateError({
    code: 'NOT_FOUND',
    reason: 'LEADERBOARD_NOT_FOUND',
    message: `Game ${appid} has no leaderboard ${board}`,
    fields: [{ path: 'board', message: `no leaderboard ${board} in this game` }],
  });
}

/** 400 LEADERBOARD_SCORE_OUT_OF_RANGE: the score (or, for incr, the sum) would leave the board's range. */
export function scoreOutOfRange(score: number, min: number, max: number): MinigateError {
  return new MinigateError({
    code: 'BAD_REQUEST',
    reason: 'LEADERBOARD_SCORE_OUT_OF_RANGE',
    message: `The score would be ${score}, outside this board's range ${min}..${max}: nothing was recorded`,
    min,
    max,
    fields: [{ path: 'score', message: `must keep the entry within ${min}..${max}` }],
  });
}

/** 400 LEADERBOARD_PERIOD_INVALID: not a period of the board. */
export function periodInvalid(period: string, board: string, example: string): MinigateError {
  return new MinigateError({
    code: 'BAD_REQUEST',
    reason: 'LEADERBOARD_PERIOD_INVALID',
    message: `${period} is no period of leaderboard ${board}: give one a call answered, like ${example}`,
    fields: [{ path: 'period', message: `is no period of ${board}` }],
  });
}
