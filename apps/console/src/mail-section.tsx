// The player's mail (their own and the broadcasts they got), and the form to send more.
import { json, time } from './format.js';
import { MailForm } from './mail-form.js';
import { Section, Table, type PlayerSectionProps } from './section.js';

export function MailSection(props: PlayerSectionProps) {
  return (
    <Section title="Mail">
      <Table head={['Sent', 'Title', 'Body', 'Attachments', 'Broadcast', 'Expires', 'Read', 'Claimed', 'Deleted']} empty="No mail.">
        {props.player.mail.map((mail) => (
          <tr key={mail.id}>
            <td>{time(mail.sentAt)}</td>
            <td>{mail.title}</td>
            <td class="wrap">{mail.body}</td>
            <td class="mono wrap">{mail.attachments === null ? '—' : json(mail.attachments)}</td>
            <td>{mail.broadcast ? 'yes' : 'no'}</td>
            <td>{time(mail.expiresAt)}</td>
            <td>{time(mail.readAt)}</td>
            <td>{time(mail.claimedAt)}</td>
            <td>{time(mail.deletedAt)}</td>
          </tr>
        ))}
      </Table>
      <MailForm {...props} />
    </Section>
  );
}
