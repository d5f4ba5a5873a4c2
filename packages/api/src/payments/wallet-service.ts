import { applyWalletChange, readWallet, readWalletHistory, WalletInsufficientError, type Database, type Kysely, type WalletLine } from '@minigate/db';
import type { AuthenticatedUser } from '../context.js';
import { MinigateError } from '../errors.js';
import type { WalletChangeView, WalletView } from './views.js';

export interface WalletService {
  /** What the player holds. */
  get(user: AuthenticatedUser): Promise<WalletView>;
  /** The player's changes, newest first, a page at a time. */
  history(user: AuthenticatedUser, cursor: string | null): Promise<{ changes: WalletChangeView[]; nextCursor: string | null }>;
  /**
   * Spends currencies and items at once, once per `key`: all of it or none,
   * never below zero (409 WALLET_INSUFFICIENT). A key sent again answers the wallet, spending nothing more.
   */
  spend(
    user: AuthenticatedUser,
    spend: { key: string; currencies: Record<string, number>; items: Record<string, number>; reason: string },
  ): Promise<WalletView>;
}

const PAGE = 20;

export function createWalletService(deps: { db: Kysely<Database>; now?: () => number }): WalletService {
  const now = deps.now ?? Date.now;
  return {
    get: (user) => readWallet(deps.db, user.accountId),

    async history(user, cursor) {
      const before = cursor === null ? null : Number(cursor);
      if (before !== null && (!Number.isSafeInteger(before) || before <= 0)) {
        throw new MinigateError({
          code: 'BAD_REQUEST',
          reason: 'INPUT_INVALID',
          message: 'cursor is not one this server gave',
          fields: [{ path: 'cursor', message: 'not a cursor of ours' }],
        });
      }
      const page = await readWalletHistory(deps.db, user.accountId, { beforeChangeId: before, limit: PAGE });
      const changes = page.entries.map((entry): WalletChangeView => {
        const view: WalletChangeView = {
          id: entry.changeId,
          at: entry.at.getTime(),
          source: entry.source,
          sourceRef: entry.sourceRef,
          reason: entry.reason,
          currencies: {},
          items: {},
        };
        for (const line of entry.lines)
          (line.kind === 'currency' ? view.currencies : view.items)[line.asset] = { delta: line.delta, balance: line.balanceAfter };
        return view;
      });
      const last = changes.at(-1);
      return { changes, nextCursor: page.more && last ? String(last.id) : null };
    },

    async spend(user, spend) {
      const lines: WalletLine[] = [
        ...Object.entries(spend.currencies).map(([asset, count]) => ({ kind: 'currency' as const, asset, delta: -count })),
        ...Object.entries(spend.items).map(([asset, count]) => ({ kind: 'item' as const, asset, delta: -count })),
      ];
      try {
        await applyWalletChange(deps.db, {
          accountId: user.accountId,
          idempotencyKey: `spend:${user.accountId}:${spend.key}`,
          source: 'spend',
          sourceRef: spend.key,
          reason: spend.reason,
          lines,
          at: new Date(now()),
        });
      } catch (error) {
        if (!(error instanceof WalletInsufficientError)) throw error;
        throw new MinigateError({
          code: 'CONFLICT',
          reason: 'WALLET_INSUFFICIENT',
          message: `The player holds less ${error.asset} than the spend: nothing was spent`,
          fields: [{ path: `${error.kind === 'currency' ? 'currencies' : 'items'}.${error.asset}`, message: 'more than the player holds' }],
        });
      }
      return readWallet(deps.db, user.accountId);
    },
  };
}
