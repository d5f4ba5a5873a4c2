import {
  claimableMailIds,
  claimMail,
  countUnreadMail,
  findPlayerMail,
  listMail,
  markMail,
  readWallet,
  type Database,
  type Kysely,
  type MailRow,
} from '@minigate/db';
import type { AuthenticatedUser } from '../context.js';
import { MinigateError } from '../errors.js';
import type { WalletView } from '../payments/views.js';
import { mailView, type MailView } from './views.js';

export interface MailService {
  /** The player's messages, newest first, a page at a time, and the unread count. */
  list(user: AuthenticatedUser, cursor: string | null): Promise<{ mail: MailView[]; nextCursor: string | null; unread: number }>;
  /** The message, marked read. */
  read(user: AuthenticatedUser, id: number): Promise<MailView>;
  /** Deletes the message for the player (refused while it has attachments to claim). */
  delete(user: AuthenticatedUser, id: number): Promise<{ deleted: true }>;
  /** Puts the message's attachments into the wallet, once. */
  claim(user: AuthenticatedUser, id: number): Promise<{ mail: MailView; granted: Grants; wallet: WalletView }>;
  /** Claims every message with attachments not yet claimed. */
  claimAll(user: AuthenticatedUser): Promise<{ claimed: number[]; granted: Grants; wallet: WalletView }>;
}

export interface Grants {
  currencies: Record<string, number>;
  items: Record<string, number>;
}

export interface MailServiceDeps {
  db: Kysely<Database>;
  /** The account's view (account.me) must forget its unread count. */
  changed(accountId: number): void;
  now?: () => number;
}

const PAGE = 20;
/** claimAll claims at most this many at once (a player with more calls it again). */
const CLAIM_ALL_MAX = 100;

const notFound = () =>
  new MinigateError({
    code: 'NOT_FOUND',
    reason: 'MAIL_NOT_FOUND',
    message: 'No such message for this player',
    fields: [{ path: 'id', message: 'not a message of yours' }],
  });

function add(into: Grants, row: Pick<MailRow, 'attachments'>): void {
  for (const [asset, count] of Object.entries(row.attachments?.currencies ?? {})) into.currencies[asset] = (into.currencies[asset] ?? 0) + count;
  for (const [asset, count] of Object.entries(row.attachments?.items ?? {})) into.items[asset] = (into.items[asset] ?? 0) + count;
}

const hasAttachments = (row: MailRow) => Object.keys(row.attachments?.currencies ?? {}).length + Object.keys(row.attachments?.items ?? {}).length > 0;

export function createMailService(deps: MailServiceDeps): MailService {
  const now = () => new Date((deps.now ?? Date.now)());

  /** The message of the player, live (not deleted, not expired), or the error saying why not. */
  async function live(user: AuthenticatedUser, id: number, at: Date): Promise<MailRow> {
    const row = await findPlayerMail(deps.db, user.accountId, id);
    if (!row || row.deletedAt) throw notFound();
    if (row.expireTime <= at) throw new MinigateError({ code: 'CONFLICT', reason: 'MAIL_EXPIRED', message: 'This message has expired' });
    return row;
  }

  async function claimOne(user: AuthenticatedUser, row: MailRow, at: Date): Promise<'claimed' | 'already' | 'deleted'> {
    const outcome = await claimMail(deps.db, user.accountId, row, at);
    deps.changed(user.accountId);
    return outcome;
  }

  return {
    async list(user, cursor) {
      const before = cursor === null ? null : Number(cursor);
      if (before !== null && (!Number.isSafeInteger(before) || before <= 0)) {
        throw new MinigateError({
          code: 'BAD_REQUEST',
          reason: 'INPUT_INVALID',
          message: 'cursor is not one this server gave',
          fields: [{ path: 'cursor', message: 'not a cursor of ours' }],
        });
      }
      const at = now();
      const page = await listMail(deps.db, user.accountId, { now: at, beforeMailId: before, limit: PAGE });
      const mail = page.rows.map(mailView);
      const last = mail.at(-1);
      return { mail, nextCursor: page.more && last ? String(last.id) : null, unread: await countUnreadMail(deps.db, user.accountId, at) };
    },

    async read(user, id) {
      const at = now();
      const row = await live(user, id, at);
      if (!row.readAt) {
        await markMail(deps.db, user.accountId, id, 'read', at);
        deps.changed(user.accountId);
      }
      return { ...mailView(row), read: true };
    },

    async delete(user, id) {
      const at = now();
      const row = await findPlayerMail(deps.db, user.accountId, id);
      if (!row || row.deletedAt) throw notFound();
      if (hasAttachments(row) && !row.claimedAt && row.expireTime > at) {
        throw new MinigateError({ code: 'CONFLICT', reason: 'MAIL_UNCLAIMED', message: 'Claim the attachments of this message before deleting it' });
      }
      await markMail(deps.db, user.accountId, id, 'deleted', at);
      deps.changed(user.accountId);
      return { deleted: true };
    },

    async claim(user, id) {
      const at = now();
      const row = await live(user, id, at);
      if (!hasAttachments(row)) {
        throw new MinigateError({ code: 'CONFLICT', reason: 'MAIL_NOTHING_TO_CLAIM', message: 'This message has no attachments' });
      }
      const outcome = row.claimedAt ? 'already' : await claimOne(user, row, at);
      if (outcome === 'deleted') throw notFound();
      if (outcome === 'already') {
        throw new MinigateError({
          code: 'CONFLICT',
          reason: 'MAIL_ALREADY_CLAIMED',
          message: 'The attachments of this message were claimed already',
        });
      }
      const granted: Grants = { currencies: {}, items: {} };
      add(granted, row);
      return { mail: { ...mailView(row), read: true, claimed: true }, granted, wallet: await readWallet(deps.db, user.accountId) };
    },

    async claimAll(user) {
      const at = now();
      const claimed: number[] = [];
      const granted: Grants = { currencies: {}, items: {} };
      for (const id of await claimableMailIds(deps.db, user.accountId, at, CLAIM_ALL_MAX)) {
        const row = await findPlayerMail(deps.db, user.accountId, id);
        if (!row || !hasAttachments(row)) continue;
        if ((await claimOne(user, row, at)) !== 'claimed') continue;
        claimed.push(id);
        add(granted, row);
      }
      return { claimed, granted, wallet: await readWallet(deps.db, user.accountId) };
    },
  };
}
