// One player: everything players.get answers, a section each, with the actions beside what they act on.
// After an action the page asks again, so it shows what the server now holds.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { AccountSection, IdentitiesSection } from './account-section.js';
import { api, type Operator, type Player } from './api.js';
import { AuditSection } from './audit-section.js';
import { LeaderboardsSection } from './leaderboards-section.js';
import { MailSection } from './mail-section.js';
import { useNotices } from './notices.js';
import { OrdersSection } from './orders-section.js';
import { SavesSection } from './saves-section.js';
import { SessionsSection } from './sessions-section.js';
import { LedgerSection, WalletSection } from './wallet-section.js';

export function PlayerPage({ accountId, operator }: { accountId: number; operator: Operator }) {
  const notices = useNotices();
  const [player, setPlayer] = useState<Player | null>(null);
  const [failed, setFailed] = useState(false);

  const load = useCallback(() => {
    api.players.get.query({ accountId }).then(
      (answer) => {
        setPlayer(answer);
        setFailed(false);
      },
      (error: unknown) => {
        notices.fail(error);
        setFailed(true);
      },
    );
  }, [accountId, notices]);

  useEffect(() => {
    setPlayer(null);
    load();
  }, [load]);

  if (!player) return failed ? <p class="muted">Account {accountId} could not be shown.</p> : <p class="muted">Loading account {accountId}…</p>;
  const props = { player, role: operator.role, reload: load };
  const { account } = player;
  return (
    <article class="player">
      <p class="back">
        <a href="#/players">← Players</a>
      </p>
      <h1>
        {account.nickname || `Player ${account.accountId}`} <span class={`state state-${account.state}`}>{account.state}</span>
        {account.online ? <span class="state state-online">online</span> : null}
      </h1>
      <AccountSection {...props} />
      <IdentitiesSection player={player} />
      <SessionsSection {...props} />
      <WalletSection {...props} />
      <LedgerSection player={player} />
      <OrdersSection {...props} />
      <SavesSection player={player} />
      <MailSection {...props} />
      <LeaderboardsSection {...props} />
      <AuditSection player={player} />
    </article>
  );
}
