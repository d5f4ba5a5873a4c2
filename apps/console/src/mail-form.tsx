// Sending mail: to this player, or (with "To every player of" a game's appid) to every player of that game,
// and players who join it later if asked; attachments optional.
import { ActionForm } from './action-form.js';
import { AmountFields, amountsOf } from './amount-fields.js';
import { api } from './api.js';
import { mayDo } from './roles.js';
import type { PlayerSectionProps } from './section.js';

export function MailForm({ player, role, reload }: PlayerSectionProps) {
  const { accountId } = player.account;
  // The games this player is known in, offered for a broadcast.
  const games = [...new Set([...player.orders, ...player.leaderboards].map((record) => record.appid))];

  const send = (reason: string, form: FormData) => {
    const game = String(form.get('game') ?? '').trim();
    const days = Number(form.get('expiresInDays') || 0);
    return api.actions.sendMail.mutate({
      ...(game ? { game, newPlayers: form.get('newPlayers') === 'on' } : { to: accountId }),
      title: String(form.get('title')),
      body: String(form.get('body')),
      ...amountsOf(form),
      ...(days > 0 ? { expiresInDays: days } : {}),
      reason,
    });
  };

  return (
    <ActionForm name="Send mail" button="Send" allowed={mayDo(role, 'sendMail')} success="Mail sent." perform={send} onDone={reload}>
      <label>
        Title
        <input name="title" required maxLength={100} autocomplete="off" />
      </label>
      <label class="wide">
        Body
        <textarea name="body" required rows={3} />
      </label>
      <div class="amounts">
        <label>
          To every player of
          <input name="game" list="mail-games" placeholder={`empty: account ${accountId} only`} autocomplete="off" />
          <datalist id="mail-games">
            {games.map((appid) => (
              <option key={appid} value={appid} />
            ))}
          </datalist>
        </label>
        <label class="check">
          <input name="newPlayers" type="checkbox" />
          and players who join later
        </label>
        <label>
          Expires in days
          <input name="expiresInDays" type="number" min="1" step="1" />
        </label>
      </div>
      <AmountFields />
    </ActionForm>
  );
}
