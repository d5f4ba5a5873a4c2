// `pnpm admin`'s command line: its usage, its tasks and options, read without touching anything.
import { parseArgs } from 'node:util';
import { REMOVE_SCORE_USAGE } from './admin-leaderboards.js';
import { MAIL_USAGE, type MailCommand } from './admin-mail.js';
import { OPERATOR_USAGE } from './admin-operators.js';

export const USAGE = `usage: pnpm admin <task> [options]
  find <account id | openid | unionid>        the account, its identities and profile
  sessions <account id>                       its sessions (device, IP, last used, revoked)
  ban <account id> --reason <why> [--by <who>]      disable it and end its sessions
  unban <account id> --reason <why> [--by <who>]
  revoke <account id> [--session <id>] --reason <why> [--by <who>]   end one or all sessions
  online                                      how many players are online now
  orders [--account <id>] [--status created|delivered|refunded]   the latest item orders
  order <outTradeNo>                          the order and the delivery pushes kept for it
  deliver <outTradeNo> --reason <why> [--by <who>]   grant an order whose push never completed (once)
  refund <outTradeNo> --reason <why> [--by <who>]    mark it refunded and take its grant back
  present <account id> <coins> --game <appid> --bill <billNo> --reason <why> [--by <who>]
                                              give game coins through WeChat (once per --bill)
  cancel-spend <billNo> --reason <why> [--by <who>]  give back the coins of a spend (WeChat's cancelpay)
${MAIL_USAGE}
${REMOVE_SCORE_USAGE}
${OPERATOR_USAGE}
  --help, -h                                  prints this and does nothing else
Against DATABASE_URL (outside production, the development database); --by defaults to $USER.
present, cancel-spend, mail --subscribe and remove-score read the server's whole configuration (APPS_FILE or WECHAT_*, ENCRYPTION_KEY, REDIS_URL, ...).`;

export class UsageError extends Error {}
export const usageError = (message: string) => new UsageError(message);

const TASKS = 'find sessions ban unban revoke online orders order deliver refund present cancel-spend mail remove-score operator:create'.split(' ');
/** Options taking a value, besides those parseArgs is told of one by one. */
const VALUE_OPTIONS = ['to', 'title', 'body', 'expires', 'subscribe', 'page', 'board', 'period', 'name', 'role', 'password'] as const;
const OPTIONS = ['reason', 'by', 'session', 'account', 'status', 'game', 'bill', ...VALUE_OPTIONS] as const;
/** Options that may be given several times (mail's attachments and subscribe data). */
const REPEATED = ['currency', 'item', 'data'] as const;
/** The tasks that call WeChat or read the games' boards: they need the server's configuration. */
export const WECHAT_TASKS = ['present', 'cancel-spend', 'remove-score'];
export const ORDER_STATUSES = ['created', 'delivered', 'refunded'] as const;
type Option = (typeof OPTIONS)[number];

export interface CommandLine {
  help: boolean;
  positionals: string[];
  values: Partial<Record<Option, string>>;
  lists: MailCommand['lists'];
  newPlayers: boolean;
}

/** Reads the command line without touching anything: a mistake throws a UsageError naming it. */
export function parseCommandLine(args: string[]): CommandLine {
  const { tokens } = parseArgs({
    args,
    options: {
      reason: { type: 'string' },
      by: { type: 'string' },
      session: { type: 'string' },
      account: { type: 'string' },
      status: { type: 'string' },
      game: { type: 'string' },
      bill: { type: 'string' },
      ...Object.fromEntries(VALUE_OPTIONS.map((name) => [name, { type: 'string' as const }])),
      ...Object.fromEntries(REPEATED.map((name) => [name, { type: 'string' as const, multiple: true }])),
      'new-players': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const positionals = tokens.flatMap((token) => (token.kind === 'positional' ? [token.value] : []));
  // --help wins wherever it stands before `--`, even as another option's value (`--reason --help`).
  const end = args.indexOf('--');
  const before = end === -1 ? args : args.slice(0, end);
  if (before.includes('--help') || before.includes('-h') || tokens.some((token) => token.kind === 'option' && token.name === 'help')) {
    return { help: true, positionals, values: {}, lists: {}, newPlayers: false };
  }
  const values: CommandLine['values'] = {};
  const lists: CommandLine['lists'] = {};
  let newPlayers = false;
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (token.name === 'new-players' && token.value === undefined) {
      newPlayers = true;
      continue;
    }
    const repeated = REPEATED.find((option) => option === token.name);
    if (repeated && token.value !== undefined && token.value !== '') {
      (lists[repeated] ??= []).push(token.value);
      continue;
    }
    const name = OPTIONS.find((option) => option === token.name);
    if (!name) throw new UsageError(`unknown option "${token.rawName}"`);
    if (token.value === undefined || token.value === '') throw new UsageError(`${token.rawName} needs a value`);
    values[name] = token.value;
  }
  const [task] = positionals;
  if (!task) throw new UsageError('no task given');
  if (!TASKS.includes(task)) throw new UsageError(`unknown task "${task}"`);
  return { help: false, positionals, values, lists, newPlayers };
}
