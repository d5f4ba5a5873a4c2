// Finding a player: by account id, openid, unionid or nickname (prefix). The query lives in the URL, so the
// browser's back button returns to the results.
import { useEffect, useState } from 'preact/hooks';
import { api, type Outputs } from './api.js';
import { time } from './format.js';
import { useNotices } from './notices.js';
import { href, navigate } from './routes.js';

type Found = Outputs['players']['find']['players'];

export const playerName = (player: { accountId: number; nickname: string | null }): string => player.nickname || `Account ${player.accountId}`;

export function PlayerSearch({ query }: { query: string }) {
  const notices = useNotices();
  const [found, setFound] = useState<{ query: string; players: Found } | null>(null);
  // Searching again for the same query (the URL does not change) asks again.
  const [round, setRound] = useState(0);

  useEffect(() => {
    if (!query) return;
    let current = true;
    api.players.find.query({ query }).then(
      ({ players }) => current && setFound({ query, players }),
      (error: unknown) => current && notices.fail(error),
    );
    return () => {
      current = false;
    };
  }, [query, round, notices]);

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const next = String(new FormData(event.currentTarget as HTMLFormElement).get('query') ?? '').trim();
    if (next === query) setRound(round + 1);
    else navigate({ page: 'players', query: next });
  };

  return (
    <section aria-labelledby="players-title">
      <h1 id="players-title">Players</h1>
      <form class="search" role="search" key={query} onSubmit={submit}>
        <label>
          Find a player
          <input name="query" type="search" defaultValue={query} placeholder="account id, openid, unionid or nickname" required />
        </label>
        <button type="submit">Search</button>
      </form>
      {found && found.query === query ? <Results players={found.players} query={query} /> : null}
    </section>
  );
}

function Results({ players, query }: { players: Found; query: string }) {
  if (players.length === 0) return <p class="muted">No player matches “{query}”.</p>;
  return (
    <ul class="results" aria-label="Players found">
      {players.map((player) => (
        <li key={player.accountId}>
          <a href={href({ page: 'player', accountId: player.accountId })}>{playerName(player)}</a>
          <span class={`state state-${player.state}`}>{player.state}</span>
          <span class="muted">
            #{player.accountId} · since {time(player.createdAt)}
            {player.identities.map((identity) => ` · ${identity.type} ${identity.identifier}`).join('')}
          </span>
        </li>
      ))}
    </ul>
  );
}
