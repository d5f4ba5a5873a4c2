// The player's account (and profile), with what an operator may do to it: ban or unban, delete; and the
// identities it logs in with.
import { ActionForm } from './action-form.js';
import { api } from './api.js';
import { duration, text, time } from './format.js';
import { mayDo } from './roles.js';
import { Section, Table, type PlayerSectionProps } from './section.js';

export function AccountSection({ player, role, reload }: PlayerSectionProps) {
  const { account, profile } = player;
  const { accountId } = account;
  const facts: (readonly [string, string])[] = [
    ['Account id', String(accountId)],
    ['Nickname', text(account.nickname)],
    ['State', account.state],
    ['Online', account.online ? 'yes' : 'no'],
    ['Created', time(account.createdAt)],
    ['Last login', `${time(account.lastLoginAt)}${account.lastLoginIp ? ` from ${account.lastLoginIp}` : ''}`],
    ['Avatar', text(account.avatarUrl)],
    ...(profile
      ? ([
          ['Level', `${profile.level} (${profile.experience} experience)`],
          ['Gender', String(profile.gender)],
          ['Unread messages', String(profile.unreadMessages)],
          ['Time online', duration(profile.onlineSeconds)],
        ] as const)
      : ([['Profile', 'none yet']] as const)),
  ];
  return (
    <Section title="Account">
      <dl class="facts">
        {facts.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <div class="actions">
        {account.state === 'active' ? (
          <ActionForm
            name="Ban"
            button="Ban"
            allowed={mayDo(role, 'ban')}
            success={`Banned account ${accountId}.`}
            perform={(reason) => api.actions.ban.mutate({ accountId, reason })}
            onDone={reload}
          />
        ) : null}
        {account.state === 'banned' ? (
          <ActionForm
            name="Unban"
            button="Unban"
            allowed={mayDo(role, 'unban')}
            success={`Unbanned account ${accountId}.`}
            perform={(reason) => api.actions.unban.mutate({ accountId, reason })}
            onDone={reload}
          />
        ) : null}
        {account.state === 'deleted' ? null : (
          <ActionForm
            name="Delete account"
            button="Delete account"
            danger
            allowed={mayDo(role, 'deleteAccount')}
            success={`Deleted account ${accountId}.`}
            perform={(reason) => api.actions.deleteAccount.mutate({ accountId, reason })}
            onDone={reload}
          />
        )}
      </div>
    </Section>
  );
}

export function IdentitiesSection({ player }: Pick<PlayerSectionProps, 'player'>) {
  return (
    <Section title="Identities">
      <Table head={['Type', 'Identifier']} empty="No identity.">
        {player.identities.map((identity) => (
          <tr key={`${identity.type} ${identity.identifier}`}>
            <td>{identity.type}</td>
            <td class="mono">{identity.identifier}</td>
          </tr>
        ))}
      </Table>
    </Section>
  );
}
