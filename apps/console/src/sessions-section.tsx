// The player's sessions (one per login and game): revoke one, or all of them.
import { ActionForm } from './action-form.js';
import { api } from './api.js';
import { text, time, times } from './format.js';
import { mayDo } from './roles.js';
import { Lines, Section, Table, type PlayerSectionProps } from './section.js';

export function SessionsSection({ player, role, reload }: PlayerSectionProps) {
  const { accountId } = player.account;
  const allowed = mayDo(role, 'revokeSessions');
  return (
    <Section title="Sessions">
      <Table head={['Session', 'Times', 'IP', 'User agent', 'State', 'Action']} empty="No session.">
        {player.sessions.map((session) => (
          <tr key={session.sessionId}>
            <td class="mono">{session.sessionId}</td>
            <td>
              <Lines lines={times({ created: session.createdAt, 'last used': session.lastUsedAt, expires: session.expiresAt })} />
            </td>
            <td>{text(session.ip)}</td>
            <td class="wrap">{text(session.userAgent)}</td>
            <td class="wrap">
              {session.live ? 'live' : session.revokedAt ? `revoked ${time(session.revokedAt)}: ${text(session.revokedReason)}` : 'ended'}
            </td>
            <td>
              {session.live ? (
                <ActionForm
                  inline
                  name={`Revoke session ${session.sessionId}`}
                  button="Revoke"
                  allowed={allowed}
                  success={`Revoked session ${session.sessionId}.`}
                  perform={(reason) => api.actions.revokeSessions.mutate({ accountId, sessionId: session.sessionId, reason })}
                  onDone={reload}
                />
              ) : null}
            </td>
          </tr>
        ))}
      </Table>
      <ActionForm
        name="Revoke all sessions"
        button="Revoke all"
        allowed={allowed}
        success={`Revoked every session of account ${accountId}.`}
        perform={(reason) => api.actions.revokeSessions.mutate({ accountId, reason })}
        onDone={reload}
      />
    </Section>
  );
}
