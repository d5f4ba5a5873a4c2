// `pnpm admin remove-score`: an operator takes a player's entries off a leaderboard (a cheater); the ranks behind
// close up on every instance at once (MySQL's counts, and Redis's sorted set when there is one). Kept in the audit table.
import type { Application } from './wiring.js';

export const REMOVE_SCORE_USAGE = `  remove-score <account id> --game <appid> --board <id> [--period <id>] --reason <why> [--by <who>]
                                              take the player's entries off a leaderboard (every period, or one)`;

export interface RemoveScore {
  accountId: number;
  game: string | undefined;
  board: string | undefined;
  period: string | undefined;
  reason: string;
  by: string;
}

/** Removes the entries and records why; a mistake in the command throws `usage(message)`. */
export async function removeScore(
  operator: (() => Application['operator']) | null,
  task: RemoveScore,
  usage: (message: string) => Error,
): Promise<string[]> {
  if (!operator) throw usage('remove-score needs the server configuration');
  if (!task.game) throw usage('remove-score needs --game <appid>: the game whose board it is');
  if (!task.board) throw usage('remove-score needs --board <id>');
  const removed = await operator().removeLeaderboardEntry({
    app: task.game,
    board: task.board,
    accountId: task.accountId,
    ...(task.period === undefined ? {} : { period: task.period }),
    reason: task.reason,
    by: task.by,
  });
  if (removed.length === 0) return [`account ${task.accountId} has no entry on ${task.board}${task.period ? ` in ${task.period}` : ''}`];
  const periods = removed.map((entry) => entry.period).join(', ');
  return [`removed account ${task.accountId}'s entries on ${task.board}: ${periods}`];
}
