// The player's leaderboard entries: take a cheater's score off a board (for that period).
import { ActionForm } from './action-form.js';
import { api } from './api.js';
import { text, time } from './format.js';
import { mayDo } from './roles.js';
import { Section, Table, type PlayerSectionProps } from './section.js';

export function LeaderboardsSection({ player, role, reload }: PlayerSectionProps) {
  const { accountId } = player.account;
  return (
    <Section title="Leaderboards">
      <Table head={['Game', 'Board', 'Period', 'Score', 'Rank', 'Reached', 'Action']} empty="On no leaderboard.">
        {player.leaderboards.map((entry) => (
          <tr key={`${entry.appid} ${entry.board} ${entry.period}`}>
            <td class="mono">{entry.appid}</td>
            <td>{entry.board}</td>
            <td>{entry.period}</td>
            <td class="number">{entry.score}</td>
            <td class="number">{text(entry.rank)}</td>
            <td>{time(entry.reachedAt)}</td>
            <td>
              <ActionForm
                inline
                name={`Remove score on ${entry.board} (${entry.period})`}
                button="Remove"
                danger
                allowed={mayDo(role, 'removeScore')}
                success={`Removed the score on ${entry.board} (${entry.period}).`}
                perform={(reason) =>
                  api.actions.removeScore.mutate({ accountId, appid: entry.appid, board: entry.board, period: entry.period, reason })
                }
                onDone={reload}
              />
            </td>
          </tr>
        ))}
      </Table>
    </Section>
  );
}
