// What operators (and admin scripts) did to this player, and why.
import { text, time } from './format.js';
import { Section, Table, type PlayerSectionProps } from './section.js';

export function AuditSection({ player }: Pick<PlayerSectionProps, 'player'>) {
  return (
    <Section title="Audit log">
      <Table head={['At', 'Action', 'By', 'Reason']} empty="Nothing done to this player yet.">
        {player.audit.map((entry, index) => (
          <tr key={index}>
            <td>{time(entry.at)}</td>
            <td>{entry.action}</td>
            <td>{text(entry.by)}</td>
            <td class="wrap">{text(entry.reason)}</td>
          </tr>
        ))}
      </Table>
    </Section>
  );
}
