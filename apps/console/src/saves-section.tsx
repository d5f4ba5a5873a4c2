// The player's cloud saves: collection, key, version and (the start of) the value.
import { json, time } from './format.js';
import { Section, Table, type PlayerSectionProps } from './section.js';

export function SavesSection({ player }: Pick<PlayerSectionProps, 'player'>) {
  return (
    <Section title="Saves">
      <Table head={['Collection', 'Key', 'Version', 'Updated', 'Value']} empty="No save.">
        {player.saves.map((save) => (
          <tr key={`${save.collection} ${save.key}`}>
            <td>{save.collection}</td>
            <td class="mono">{save.key}</td>
            <td class="mono">{save.version}</td>
            <td>{time(save.updatedAt)}</td>
            <td class="mono wrap" title={JSON.stringify(save.value)}>
              {json(save.value)}
            </td>
          </tr>
        ))}
      </Table>
    </Section>
  );
}
