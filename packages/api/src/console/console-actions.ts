import { randomUUID } from 'node:crypto';
import {
  applyWalletChange,
  recordAudit,
  WalletInsufficientError,
  type Database,
  type Kysely,
  type LiveOperatorSession,
  type RemovedLeaderboardEntry,
} from '@minigate/db';
import { MinigateError } from '../errors.js';
import type { LeaderboardUpkeep } from '../leaderboards/leaderboard-service.js';
import type { MailAdmin } from '../mail/mail-admin.js';
import type { OrderAdmin } from '../payments/order-admin.js';
import type { AccountService } from '../services/account-service.js';
import type { AdminService } from '../services/admin-service.js';
import type { ServiceLogger } from '../services/service-logger.js';

export interface ConsoleActionDeps {
  db: Kysely<Database>;
  admin: AdminService;
  orders: OrderAdmin;
  mail: MailAdmin;
  /** The operator's removal of leaderboard entries, audited (createApi's operator.removeLeaderboardEntry). */
  removeLeaderboardEntry(target: Parameters<LeaderboardUpkeep['remove']>[0] & { reason: string; by: string }): Promise<RemovedLeaderboardEntry[]>;
  /** The account service's deletion (its view forgotten, its sessions blocked, its entries out of the sorted sets). */
  deleteAccount: AccountService['deleteAccount'];
  now?: () => number;
}

type Operator = Pick<LiveOperatorSession, 'name'>;

const notFound = (what: string) => new MinigateError({ code: 'NOT_FOUND', reason: 'ACCOUNT_NOT_FOUND', message: `No ${what}` });
const orderNotFound = (outTradeNo: string) => new MinigateError({ code: 'NOT_FOUND', reason: 'ORDER_NOT_FOUND', message: `No order ${outTradeNo}` });

/**
 * The console's changes. Each takes the operator's reason and is written to
 * the player's audit log under the operator's name; each reaches every
 * instance through the database (bans, revocations and deletions through the
 * change feed, within its bound of about a second).
 */
export function createConsoleActions(deps: ConsoleActionDeps) {
  const now = deps.now ?? Date.now;
  return {
    async ban(operator: Operator, accountId: number, reason: string) {
      const done = await deps.admin.ban({ accountId, reason, by: operator.name });
      if (!done.found) throw notFound(`live account ${accountId}`);
      return { ok: true as const, sessionsRevoked: done.sessionsRevoked };
    },
    async unban(operator: Operator, accountId: number, reason: string) {
      const done = await deps.admin.unban({ accountId, reason, by: operator.name });
      if (!done.found) throw notFound(`live account ${accountId}`);
      return { ok: true as const };
    },
    async revokeSessions(operator: Operator, accountId: number, sessionId: number | undefined, reason: string) {
      const done = await deps.admin.revokeSessions({ accountId, reason, by: operator.name, ...(sessionId === undefined ? {} : { sessionId }) });
      return { ok: true as const, sessionsRevoked: done.sessionsRevoked };
    },
    async deleteAccount(operator: Operator, accountId: number, reason: string) {
      if (!(await deps.deleteAccount(accountId, { reason, actor: operator.name }))) throw notFound(`live account ${accountId}`);
      return { ok: true as const };
    },
    async refundOrder(operator: Operator, outTradeNo: string, reason: string) {
      const outcome = await deps.orders.refund(outTradeNo, { reason, by: operator.name });
      if (outcome === 'unknown') throw orderNotFound(outTradeNo);
      if (outcome === 'insufficient') {
        throw new MinigateError({
          code: 'CONFLICT',
          reason: 'WALLET_INSUFFICIENT',
          message: 'The player no longer holds what the order granted: nothing was refunded',
        });
      }
      return { ok: true as const, outcome };
    },
    async retryOrder(operator: Operator, outTradeNo: string, reason: string) {
      const outcome = await deps.orders.deliver(outTradeNo, { reason, by: operator.name });
      if (outcome === 'unknown') throw orderNotFound(outTradeNo);
      return { ok: true as const, outcome };
    },
    async grant(operator: Operator, grant: { accountId: number; currencies: Record<string, number>; items: Record<string, number>; reason: string }) {
      const lines = [
        ...Object.entries(grant.currencies).map(([asset, delta]) => ({ kind: 'currency' as const, asset, delta })),
        ...Object.entries(grant.items).map(([asset, delta]) => ({ kind: 'item' as const, asset, delta })),
      ];
      try {
        await applyWalletChange(deps.db, {
          accountId: grant.accountId,
          idempotencyKey: `operator:${randomUUID()}`,
          source: 'operator',
          sourceRef: operator.name,
          reason: grant.reason,
          lines,
          at: new Date(now()),
        });
      } catch (error) {
        if (!(error instanceof WalletInsufficientError)) throw error;
        throw new MinigateError({ code: 'CONFLICT', reason: 'WALLET_INSUFFICIENT', message: `The player holds less ${error.asset} than taken` });
      }
      const what = lines.map((line) => `${line.asset} ${line.delta > 0 ? '+' : ''}${line.delta}`).join(', ');
      await recordAudit(deps.db, {
        accountId: grant.accountId,
        action: 'grant_wallet',
        reason: `${what}: ${grant.reason}`.slice(0, 255),
        actor: operator.name,
      });
      return { ok: true as const };
    },
    async removeScore(operator: Operator, target: { accountId: number; appid: string; board: string; period?: string | undefined; reason: string }) {
      const removed = await deps.removeLeaderboardEntry({
        app: target.appid,
        board: target.board,
        accountId: target.accountId,
        ...(target.period === undefined ? {} : { period: target.period }),
        reason: target.reason,
        by: operator.name,
      });
      return { ok: true as const, removed: removed.length };
    },
    async sendMail(
      operator: Operator,
      mail: {
        to?: number | undefined;
        game?: string | undefined;
        newPlayers?: boolean | undefined;
        title: string;
        body: string;
        currencies?: Record<string, number> | undefined;
        items?: Record<string, number> | undefined;
        expiresInDays?: number | undefined;
        reason: string;
      },
      log: ServiceLogger,
    ) {
      const attachments = mail.currencies || mail.items ? { currencies: mail.currencies ?? {}, items: mail.items ?? {} } : null;
      const sent = await deps.mail.send(
        {
          to: mail.to ?? null,
          game: mail.game ?? null,
          newPlayers: mail.newPlayers ?? false,
          title: mail.title,
          body: mail.body,
          attachments,
          expiresInDays: mail.expiresInDays ?? 30,
          subscribe: null,
          by: operator.name,
        },
        log,
      );
      if (mail.to !== undefined) {
        const reason = `mail ${sent.mailId} "${mail.title}": ${mail.reason}`.slice(0, 255);
        await recordAudit(deps.db, { accountId: mail.to, action: 'send_mail', reason, actor: operator.name });
      }
      log.info({ mailId: sent.mailId, to: mail.to ?? null, game: mail.game ?? null, operator: operator.name }, 'console mail sent');
      return { ok: true as const, mailId: sent.mailId };
    },
  };
}

export type ConsoleActions = ReturnType<typeof createConsoleActions>;
