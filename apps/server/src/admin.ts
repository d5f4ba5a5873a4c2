// `pnpm admin <task>`: the operator's tasks on accounts, against DATABASE_URL.
// Bans and revocations reach every running instance within the revocation
// bound (they poll the database), so nothing here talks to a server.
import { createAdminService, createMailAdmin, createOrderAdmin } from '@minigate/api';
import { createDatabase, describeDatabaseUrl } from '@minigate/db';
import { ORDER_STATUSES, parseCommandLine, USAGE, UsageError, usageError, WECHAT_TASKS, type CommandLine } from './admin-command-line.js';
import { removeScore } from './admin-leaderboards.js';
import { operatorMailOf, runMailTask } from './admin-mail.js';
import { createOperatorTask } from './admin-operators.js';
import { ConfigError, loadAdminConfig, loadConfigFromEnvironment } from './config.js';
import { wireApplication, type Application } from './wiring.js';

const time = (date: Date | null) => (date ? date.toISOString() : '-');

function accountIdOf(value: string | undefined): number {
  if (!value || !/^[1-9][0-9]{0,15}$/.test(value)) throw new UsageError(`an account id is a positive number, not "${value ?? ''}"`);
  return Number(value);
}

/** What the WeChat tasks log: warnings and errors to stderr, without the objects (no secret is in a message). */
const CONSOLE_LOG = {
  error: (_: object, message: string) => console.error(message),
  warn: (_: object, message: string) => console.error(message),
  info: () => undefined,
};

async function run(
  admin: ReturnType<typeof createAdminService>,
  orders: ReturnType<typeof createOrderAdmin>,
  mailAdmin: ReturnType<typeof createMailAdmin>,
  operator: (() => Application['operator']) | null,
  { positionals, values, lists, newPlayers }: CommandLine,
  defaultOperator: string | null,
): Promise<string[]> {
  const [task, target] = positionals;
  const action = () => {
    const by = values.by ?? defaultOperator;
    if (!values.reason) throw new UsageError(`${task} needs --reason "<why>": it is kept in the audit table`);
    if (!by) throw new UsageError(`${task} needs --by <your name>: it is kept in the audit table`);
    return { accountId: accountIdOf(target), reason: values.reason, by };
  };

  switch (task) {
    case 'find': {
      if (!target) throw new UsageError('find needs an account id, an openid or a unionid');
      const found = await admin.find(target);
      if (!found) return [`no account ${target}`];
      const state = found.isDel ? 'deleted' : found.dataFlag === 1 ? 'active' : 'banned';
      return [
        `account ${found.accountId}: ${state}, nickname "${found.nickName}", created ${time(found.createTime)}`,
        `last login ${time(found.loginTime)} from ${found.loginIp ?? '-'}; ${found.onlineStatus === 1 ? 'online' : 'offline'}, ${found.onlineSeconds} s online in all`,
        ...found.identities.map((identity) => `identity ${identity.authType} ${identity.identifier}`),
      ];
    }
    case 'sessions': {
      const sessions = await admin.sessions(accountIdOf(target));
      if (sessions.length === 0) return [`account ${target} has no sessions`];
      return sessions.map(
        (session) =>
          `session ${session.sessionId}: ${session.revokedAt ? `revoked ${time(session.revokedAt)} (${session.revokedReason})` : session.expiresAt < new Date() ? 'expired' : 'live'}` +
          `, created ${time(session.createTime)}, last used ${time(session.lastUsedAt)}, expires ${time(session.expiresAt)}, ip ${session.ip || '-'}, ${session.userAgent || 'no user agent'}`,
      );
    }
    case 'ban': {
      const done = await admin.ban(action());
      return [done.found ? `banned account ${target}; ended ${done.sessionsRevoked} session(s)` : `no live account ${target}`];
    }
    case 'unban': {
      const done = await admin.unban(action());
      return [done.found ? `unbanned account ${target}` : `no live account ${target}`];
    }
    case 'revoke': {
      const sessionId = values.session === undefined ? undefined : accountIdOf(values.session);
      const done = await admin.revokeSessions({ ...action(), ...(sessionId === undefined ? {} : { sessionId }) });
      return [`ended ${done.sessionsRevoked} session(s) of account ${target}`];
    }
    case 'online':
      return [`${await admin.online()} player(s) online`];
    case 'orders': {
      const status = values.status;
      if (status !== undefined && !ORDER_STATUSES.includes(status as (typeof ORDER_STATUSES)[number]))
        throw new UsageError(`--status is one of ${ORDER_STATUSES.join(', ')}`);
      const found = await orders.list({
        ...(values.account === undefined ? {} : { accountId: accountIdOf(values.account) }),
        ...(status === undefined ? {} : { status: status as (typeof ORDER_STATUSES)[number] }),
        limit: 50,
      });
      if (found.length === 0) return ['no orders'];
      return found.map(
        (order) =>
          `${order.outTradeNo} ${order.status} account ${order.accountId} ${order.quantity} × ${order.productId} ${order.totalPrice} fen env ${order.env}, created ${time(order.createTime)}`,
      );
    }
    case 'order': {
      if (!target) throw new UsageError('order needs an order number (outTradeNo)');
      const found = await orders.show(target);
      if (!found) return [`no order ${target}`];
      const { order, pushes } = found;
      return [
        `order ${order.outTradeNo}: ${order.status}; account ${order.accountId} (openid ${order.openid}) in ${order.appid}, ${order.quantity} × ${order.productId} at ${order.unitPrice} fen = ${order.totalPrice} fen, env ${order.env}`,
        `created ${time(order.createTime)}, delivered ${time(order.deliveredAt)}, refunded ${time(order.refundedAt)}; grants ${order.grants}`,
        ...pushes.map((push) => `push ${push.pushId} ${push.event} received ${time(push.receivedAt)}: ${push.outcome ?? 'not finished'}`),
      ];
    }
    case 'deliver':
    case 'refund': {
      if (!target) throw new UsageError(`${task} needs an order number (outTradeNo)`);
      const by = values.by ?? defaultOperator;
      if (!values.reason) throw new UsageError(`${task} needs --reason "<why>": it is kept in the audit table`);
      if (!by) throw new UsageError(`${task} needs --by <your name>: it is kept in the audit table`);
      const outcome =
        task === 'deliver' ? await orders.deliver(target, { reason: values.reason, by }) : await orders.refund(target, { reason: values.reason, by });
      const said: Record<string, string> = {
        delivered: `delivered order ${target}`,
        refunded: `refunded order ${target}`,
        already: `order ${target} was ${task === 'deliver' ? 'delivered' : 'refunded'} already: nothing changed`,
        unknown: `no order ${target}`,
        insufficient: `order ${target} not refunded: the player no longer holds all it granted (nothing changed)`,
      };
      return [said[outcome] ?? `order ${target}: ${outcome}`];
    }
    case 'present':
    case 'cancel-spend': {
      const by = values.by ?? defaultOperator;
      if (!values.reason) throw new UsageError(`${task} needs --reason "<why>": it is kept in the audit table`);
      if (!by) throw new UsageError(`${task} needs --by <your name>: it is kept in the audit table`);
      if (!operator) throw new Error('the server configuration was not read');
      if (task === 'cancel-spend') {
        if (!target) throw new UsageError('cancel-spend needs the bill number of the spend');
        const done = await operator().cancelSpend({ billNo: target, reason: values.reason, by }, CONSOLE_LOG);
        return [done.cancelled ? `cancelled spend ${target}: its coins are back` : `spend ${target} was cancelled already`];
      }
      const amount = Number(positionals[2]);
      if (!Number.isSafeInteger(amount) || amount <= 0) throw new UsageError('present needs a number of coins above 0 after the account id');
      if (!values.game) throw new UsageError('present needs --game <appid>');
      if (!values.bill) throw new UsageError('present needs --bill <billNo>: the same bill never presents twice');
      const done = await operator().present(
        { accountId: accountIdOf(target), appid: values.game, amount, billNo: values.bill, reason: values.reason, by },
        CONSOLE_LOG,
      );
      return [`presented ${amount} coins to account ${target} (bill ${done.billNo})${done.balance === null ? '' : `; balance ${done.balance}`}`];
    }
    case 'mail': {
      const by = values.by ?? defaultOperator;
      if (!by) throw new UsageError('mail needs --by <your name>: it is kept with the message');
      const mail = operatorMailOf({ values, lists, newPlayers }, by, usageError);
      return runMailTask(mail.subscribe && operator ? operator().mail : mailAdmin, mail, CONSOLE_LOG);
    }
    case 'remove-score':
      return removeScore(operator, { ...action(), game: values.game, board: values.board, period: values.period }, usageError);
    default:
      throw new UsageError(task ? `unknown task "${task}"` : 'no task given');
  }
}

async function main(args: string[]): Promise<void> {
  let command: CommandLine;
  try {
    command = parseCommandLine(args);
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exitCode = 1;
    return;
  }
  if (command.help) {
    console.log(USAGE);
    return;
  }
  const config = loadAdminConfig();
  const db = createDatabase(config.databaseUrl, { connectionLimit: 2 });
  // WeChat's tasks wire the server's parts (its configuration read whole), started nowhere, closed at the end.
  const callsWeChat =
    WECHAT_TASKS.includes(command.positionals[0] ?? '') || (command.positionals[0] === 'mail' && command.values.subscribe !== undefined);
  const application = callsWeChat ? wireApplication(loadConfigFromEnvironment(), CONSOLE_LOG) : null;
  try {
    const lines =
      command.positionals[0] === 'operator:create'
        ? await createOperatorTask(db, command.values, usageError)
        : await run(
            createAdminService({ db, heartbeatTimeoutSeconds: config.heartbeatTimeoutSeconds }),
            createOrderAdmin({ db }),
            createMailAdmin({ db }),
            application ? () => application.operator : null,
            command,
            config.defaultOperator,
          );
    for (const line of lines) console.log(line);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n${USAGE}`);
    } else if ((error as { code?: string }).code === 'ECONNREFUSED') {
      console.error(`The database at ${describeDatabaseUrl(config.databaseUrl)} does not answer: start it or fix DATABASE_URL.`);
    } else if (typeof (error as { reason?: unknown }).reason === 'string') {
      // The api's refusal (a MinigateError): its message and reason, as a player would get them.
      console.error(`${(error as Error).message} (${(error as { reason: string }).reason})`);
    } else {
      console.error(`pnpm admin failed: ${(error as Error).message}`);
    }
    process.exitCode = 1;
  } finally {
    await db.destroy();
    await application?.close(0);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `pnpm admin failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
