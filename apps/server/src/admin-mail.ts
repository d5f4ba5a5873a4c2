// `pnpm admin mail`: an operator's message to one player or to every player of a game, with attachments, an
// expiry and (to one WeChat or QQ player) a subscribe message. Read from the command line here; sent by the api's MailAdmin.
import type { MailAdmin, OperatorMail } from '@minigate/api';

export const MAIL_USAGE = `  mail --to <account id> | --game <appid> [--new-players] --title <title> --body <text>
       [--currency <name>=<n> …] [--item <name>=<n> …] [--expires <days, default 30>]
       [--subscribe <templateId> [--data <key>=<value> …] [--page <path>]]   (with --to and --game)
                                              a message to one player, or to every player of a game (a broadcast,
                                              stored once; --new-players: also those who sign up later)`;

/** What the mail task reads: single values, repeated ones and flags. */
export interface MailCommand {
  values: Partial<Record<'to' | 'game' | 'title' | 'body' | 'expires' | 'subscribe' | 'page', string>>;
  lists: Partial<Record<'currency' | 'item' | 'data', string[]>>;
  newPlayers: boolean;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_COUNT = 1_000_000_000;

/** `name=count` pairs into a record; a mistake throws `usage(message)`. */
function counts(option: string, pairs: readonly string[], usage: (message: string) => Error): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of pairs) {
    const [name, count, ...rest] = pair.split('=');
    const n = Number(count);
    if (!name || !NAME.test(name) || rest.length > 0 || !Number.isSafeInteger(n) || n < 1 || n > MAX_COUNT)
      throw usage(`--${option} takes <name>=<count>: a name of letters, digits, _ . or -, and a count from 1, not "${pair}"`);
    out[name] = (out[name] ?? 0) + n;
  }
  return out;
}

/** The operator's mail from the command line (a mistake throws `usage(message)`). */
export function operatorMailOf(command: MailCommand, by: string, usage: (message: string) => Error): OperatorMail {
  const { values, lists } = command;
  if (values.to === undefined && values.game === undefined)
    throw usage('mail goes --to <account id> or to every player of a --game <appid> (one of them)');
  if (values.to !== undefined && !/^[1-9][0-9]{0,15}$/.test(values.to)) throw usage(`an account id is a positive number, not "${values.to}"`);
  if (values.game !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(values.game)) throw usage(`--game takes an appid, not "${values.game}"`);
  if (values.subscribe !== undefined && (values.to === undefined || values.game === undefined))
    throw usage('--subscribe sends to one player: give --to <account id> and the --game <appid> it is sent in');
  if (command.newPlayers && values.to !== undefined) throw usage('--new-players is for a broadcast (--game without --to)');
  const title = values.title?.trim() ?? '';
  if (title.length < 1 || title.length > 100) throw usage('mail needs --title "<title>" (1-100 characters)');
  const body = values.body ?? '';
  if (body.trim().length < 1 || body.length > 5000) throw usage('mail needs --body "<text>" (1-5000 characters)');
  const expires = values.expires === undefined ? 30 : Number(values.expires);
  if (!Number.isSafeInteger(expires) || expires < 1 || expires > 3650) throw usage('--expires takes a number of days from 1 to 3650');
  const currencies = counts('currency', lists.currency ?? [], usage);
  const items = counts('item', lists.item ?? [], usage);
  const attachments = Object.keys(currencies).length + Object.keys(items).length > 0 ? { currencies, items } : null;
  let subscribe: OperatorMail['subscribe'] = null;
  if (values.subscribe !== undefined) {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(values.subscribe)) throw usage(`--subscribe takes a template id, not "${values.subscribe}"`);
    const data: Record<string, { value: string }> = {};
    for (const pair of lists.data ?? []) {
      const at = pair.indexOf('=');
      if (at < 1) throw usage(`--data takes <key>=<value>, not "${pair}"`);
      data[pair.slice(0, at)] = { value: pair.slice(at + 1) };
    }
    // Without --data: the title, as the template's first "thing" (20 characters at most).
    if (Object.keys(data).length === 0) data.thing1 = { value: title.slice(0, 20) };
    subscribe = { templateId: values.subscribe, data, ...(values.page === undefined ? {} : { page: values.page }) };
  } else if (lists.data || values.page !== undefined) {
    throw usage('--data and --page go with --subscribe');
  }
  return {
    to: values.to === undefined ? null : Number(values.to),
    game: values.game ?? null,
    newPlayers: command.newPlayers,
    title,
    body,
    attachments,
    expiresInDays: expires,
    subscribe,
    by,
  };
}

/** Sends it; the lines to print. */
export async function runMailTask(admin: MailAdmin, mail: OperatorMail, log: Parameters<MailAdmin['send']>[1]): Promise<string[]> {
  const sent = await admin.send(mail, log);
  const whom = mail.to !== null ? `account ${mail.to}` : `every player of ${mail.game}${mail.newPlayers ? ', new players included' : ''}`;
  const lines = [`sent mail ${sent.mailId} to ${whom}, expiring in ${mail.expiresInDays} day(s)`];
  if (sent.playersOfGame === false) lines.push(`note: no player has signed in to ${mail.game} yet: check the appid`);
  if (sent.subscribe !== null)
    lines.push(sent.subscribe === 'sent' ? `subscribe message ${mail.subscribe?.templateId} sent` : `subscribe message not sent: ${sent.subscribe}`);
  return lines;
}
