// The player's wallet (currencies and items) with the Grant form, and the ledger: every change, with why.
import { ActionForm } from './action-form.js';
import { AmountFields, amountsOf } from './amount-fields.js';
import { api } from './api.js';
import { change, text, time } from './format.js';
import { mayDo } from './roles.js';
import { Lines, Section, Table, type PlayerSectionProps } from './section.js';

export function WalletSection({ player, role, reload }: PlayerSectionProps) {
  const { accountId } = player.account;
  const holdings = [
    ...Object.entries(player.wallet.currencies).map(([name, amount]) => ({ kind: 'currency', name, amount })),
    ...Object.entries(player.wallet.items).map(([name, amount]) => ({ kind: 'item', name, amount })),
  ];
  const grant = (reason: string, form: FormData) => {
    const what = amountsOf(form);
    if (!what.currencies && !what.items) throw new Error('Name a currency or an item to grant.');
    return api.actions.grant.mutate({ accountId, ...what, reason });
  };
  return (
    <Section title="Wallet">
      <Table head={['Kind', 'Name', 'Amount']} empty="The wallet is empty.">
        {holdings.map(({ kind, name, amount }) => (
          <tr key={`${kind} ${name}`}>
            <td>{kind}</td>
            <td>{name}</td>
            <td class="number">{amount}</td>
          </tr>
        ))}
      </Table>
      <ActionForm
        name="Grant"
        button="Grant"
        allowed={mayDo(role, 'grant')}
        success={`Granted to account ${accountId}.`}
        perform={grant}
        onDone={reload}
      >
        <AmountFields />
      </ActionForm>
    </Section>
  );
}

export function LedgerSection({ player }: Pick<PlayerSectionProps, 'player'>) {
  return (
    <Section title="Ledger">
      <Table head={['At', 'Source', 'Reference', 'Reason', 'Changes']} empty="No change yet.">
        {player.ledger.map((entry) => (
          <tr key={entry.id}>
            <td>{time(entry.at)}</td>
            <td>{entry.source}</td>
            <td class="mono">{text(entry.sourceRef)}</td>
            <td class="wrap">{text(entry.reason)}</td>
            <td>
              <Lines lines={entry.lines.map(change)} />
            </td>
          </tr>
        ))}
      </Table>
    </Section>
  );
}
