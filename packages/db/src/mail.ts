import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import { applyWalletChangeIn, type WalletLine } from './wallet.js';
import { transactionWithRetry } from './write-conflict-retry.js';

// The mailbox. A message is to one player (mail.account_id) or to every player of a game (a broadcast:
// account_id NULL, appid set), stored once. A player's state of a message (read, claimed, deleted) is a
// mail_state row written when they first act on it. A broadcast reaches a player through an identity of its
// game (`<platform>_openid:<appid>`, `douyin_anonymous:<appid>`): one that existed when it was sent, or any
// with reach_new_players. The unread count is computed (see unreadCounts); account_profile.unread_msg_nums
// is written with it at every change of the player's mail, under a lock on the profile row.

/** What a message grants when claimed. */
export interface MailAttachments {
  currencies: Record<string, number>;
  items: Record<string, number>;
}

/** A message as a player sees it: the message and their state of it. */
export interface MailRow {
  mailId: number;
  accountId: number | null;
  appid: string | null;
  title: string;
  body: string;
  attachments: MailAttachments | null;
  subscribeTemplate: string | null;
  createTime: Date;
  expireTime: Date;
  readAt: Date | null;
  claimedAt: Date | null;
  deletedAt: Date | null;
}

export interface NewMail {
  /** One player; or null with `appid`: a broadcast. */
  accountId: number | null;
  appid: string | null;
  reachNewPlayers: boolean;
  title: string;
  body: string;
  attachments: MailAttachments | null;
  subscribeTemplate: string | null;
  sentBy: string;
  at: Date;
  expiresAt: Date;
}

/** The game an identity belongs to: its auth type's part after the colon (no colon: none). */
const GAME_OF_IDENTITY = sql`SUBSTRING_INDEX(a.auth_type, ':', -1)`;

/**
 * Two scalar subqueries for the account `account` (a column of an outer query or a value): the unread
 * messages to the player alone and the unread broadcasts reaching them, not expired at `now`. `withNext`:
 * each answers `"<count> <earliest expiry, to the second, ISO>"` instead of the bare count.
 */
export function unreadCounts(account: RawBuilder<unknown>, now: unknown, now2: unknown, withNext: boolean) {
  const value = (distinct: boolean) => {
    const count = distinct ? sql`COUNT(DISTINCT m.mail_id)` : sql`COUNT(*)`;
    return withNext ? sql`CONCAT_WS(' ', ${count}, DATE_FORMAT(MIN(m.expire_time), '%Y-%m-%dT%H:%i:%sZ'))` : count;
  };
  const personal = sql<string | number>`(SELECT ${value(false)} FROM mail m
    LEFT JOIN mail_state s ON s.mail_id = m.mail_id AND s.account_id = m.account_id
    WHERE m.account_id = ${account} AND m.expire_time > ${now} AND s.read_at IS NULL AND s.deleted_at IS NULL)`;
  const broadcasts = sql<string | number>`(SELECT ${value(true)} FROM account_auth a
    JOIN mail m ON m.appid = ${GAME_OF_IDENTITY} AND m.account_id IS NULL AND (m.reach_new_players = 1 OR a.create_time <= m.create_time)
    LEFT JOIN mail_state s ON s.mail_id = m.mail_id AND s.account_id = a.account_id
    WHERE a.account_id = ${account} AND a.is_del = 0 AND a.auth_type LIKE '%:%' AND m.expire_time > ${now2}
      AND s.read_at IS NULL AND s.deleted_at IS NULL)`;
  return { personal, broadcasts };
}

/** The count and the earliest expiry among what unreadCounts(…, withNext) answered. */
export function parseUnread(...answers: Array<string | number | null>): { count: number; until: Date | null } {
  let count = 0;
  let until: Date | null = null;
  for (const answer of answers) {
    const [n, next] = String(answer ?? '0').split(' ');
    count += Number(n) || 0;
    const at = next ? new Date(next) : null;
    if (at && !Number.isNaN(at.getTime()) && (!until || at < until)) until = at;
  }
  return { count, until };
}

/** The player's unread count now (what account.me reports). */
export async function countUnreadMail(db: Kysely<Database> | Transaction<Database>, accountId: number, now: Date): Promise<number> {
  const { personal, broadcasts } = unreadCounts(sql`${accountId}`, now, now, false);
  const row = (await sql<{ p: number; b: number }>`SELECT ${personal} AS p, ${broadcasts} AS b`.execute(db)).rows[0];
  return Number(row?.p ?? 0) + Number(row?.b ?? 0);
}

/** Whether mail `m` reaches the account (to them alone, or a broadcast of one of their games that reaches them). */
const reaches = (accountId: number) => sql<boolean>`(m.account_id = ${accountId} OR (m.account_id IS NULL AND EXISTS (
  SELECT 1 FROM account_auth a WHERE a.account_id = ${accountId} AND a.is_del = 0 AND a.auth_type LIKE '%:%'
    AND ${GAME_OF_IDENTITY} = m.appid AND (m.reach_new_players = 1 OR a.create_time <= m.create_time))))`;

const MAIL_COLUMNS = sql`m.mail_id, m.account_id, m.appid, m.title, m.body, m.attachments, m.subscribe_template, m.create_time, m.expire_time,
  s.read_at, s.claimed_at, s.deleted_at`;

interface RawMailRow extends Omit<MailRow, 'attachments'> {
  attachments: string | null;
}

const toRow = (raw: RawMailRow): MailRow => ({
  ...raw,
  mailId: Number(raw.mailId),
  accountId: raw.accountId === null ? null : Number(raw.accountId),
  attachments: raw.attachments ? (JSON.parse(raw.attachments) as MailAttachments) : null,
});

/** The player's messages not deleted nor expired at `now`, newest first, `limit` at a time from below `beforeMailId`. */
export async function listMail(
  db: Kysely<Database>,
  accountId: number,
  options: { now: Date; beforeMailId: number | null; limit: number },
): Promise<{ rows: MailRow[]; more: boolean }> {
  const before = options.beforeMailId ?? Number.MAX_SAFE_INTEGER;
  const { rows } = await sql<RawMailRow>`
    (SELECT ${MAIL_COLUMNS} FROM mail m
      LEFT JOIN mail_state s ON s.mail_id = m.mail_id AND s.account_id = m.account_id
      WHERE m.account_id = ${accountId} AND m.expire_time > ${options.now} AND s.deleted_at IS NULL AND m.mail_id < ${before}
      ORDER BY m.mail_id DESC LIMIT ${options.limit + 1})
    UNION
    (SELECT DISTINCT ${MAIL_COLUMNS} FROM account_auth a
      JOIN mail m ON m.appid = ${GAME_OF_IDENTITY} AND m.account_id IS NULL AND (m.reach_new_players = 1 OR a.create_time <= m.create_time)
      LEFT JOIN mail_state s ON s.mail_id = m.mail_id AND s.account_id = a.account_id
      WHERE a.account_id = ${accountId} AND a.is_del = 0 AND a.auth_type LIKE '%:%' AND m.expire_time > ${options.now}
        AND s.deleted_at IS NULL AND m.mail_id < ${before}
      ORDER BY m.mail_id DESC LIMIT ${options.limit + 1})
    ORDER BY mail_id DESC LIMIT ${options.limit + 1}`.execute(db);
  return { rows: rows.slice(0, options.limit).map(toRow), more: rows.length > options.limit };
}

/** One message that reaches the player (expired or deleted included: the caller tells), or undefined. */
export async function findPlayerMail(db: Kysely<Database> | Transaction<Database>, accountId: number, mailId: number): Promise<MailRow | undefined> {
  const { rows } = await sql<RawMailRow>`
    SELECT ${MAIL_COLUMNS} FROM mail m LEFT JOIN mail_state s ON s.mail_id = m.mail_id AND s.account_id = ${accountId}
    WHERE m.mail_id = ${mailId} AND ${reaches(accountId)}`.execute(db);
  return rows[0] ? toRow(rows[0]) : undefined;
}

/** Writes the player's unread count into account_profile.unread_msg_nums (inside a change of their mail). */
async function syncUnreadColumn(trx: Transaction<Database>, accountId: number, now: Date): Promise<number> {
  const count = await countUnreadMail(trx, accountId, now);
  await trx.updateTable('accountProfile').set({ unreadMsgNums: count }).where('accountId', '=', accountId).execute();
  return count;
}

/**
 * A change of the player's mail in one transaction: the profile row locked first (so the player's mail
 * changes run one after another and each count sees the one before), the state row made, the work, the
 * unread count written. Run whole again on a write conflict.
 */
async function changeOfPlayer<T>(
  db: Kysely<Database>,
  accountId: number,
  mailId: number | null,
  now: Date,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return transactionWithRetry(db, async (trx) => {
    await trx.selectFrom('accountProfile').select('accountId').where('accountId', '=', accountId).forUpdate().execute();
    if (mailId !== null) await sql`INSERT IGNORE INTO mail_state (mail_id, account_id) VALUES (${mailId}, ${accountId})`.execute(trx);
    const result = await work(trx);
    await syncUnreadColumn(trx, accountId, now);
    return result;
  });
}

/** Stores a message; a message to one player changes their unread count in the same transaction. */
export async function insertMail(db: Kysely<Database>, mail: NewMail): Promise<number> {
  const insert = async (trx: Kysely<Database> | Transaction<Database>) => {
    const inserted = await trx
      .insertInto('mail')
      .values({
        accountId: mail.accountId,
        appid: mail.appid,
        reachNewPlayers: mail.reachNewPlayers ? 1 : 0,
        title: mail.title,
        body: mail.body,
        attachments: mail.attachments ? JSON.stringify(mail.attachments) : null,
        subscribeTemplate: mail.subscribeTemplate,
        subscribeOutcome: null,
        sentBy: mail.sentBy,
        createTime: mail.at,
        expireTime: mail.expiresAt,
      })
      .executeTakeFirstOrThrow();
    return Number(inserted.insertId);
  };
  if (mail.accountId === null) return insert(db);
  return changeOfPlayer(db, mail.accountId, null, mail.at, insert);
}

/** Marks a message read (a first read only), or deleted. */
export async function markMail(db: Kysely<Database>, accountId: number, mailId: number, mark: 'read' | 'deleted', now: Date): Promise<void> {
  await changeOfPlayer(db, accountId, mailId, now, async (trx) => {
    const column = mark === 'read' ? 'readAt' : 'deletedAt';
    await trx
      .updateTable('mailState')
      .set({ [column]: now })
      .where('mailId', '=', mailId)
      .where('accountId', '=', accountId)
      .where(column, 'is', null)
      .execute();
  });
}

export type ClaimOutcome = 'claimed' | 'already' | 'deleted';

/**
 * Puts the message's attachments into the player's wallet once: under the state row's lock, in one
 * transaction with the claimed mark, as the wallet change `mail:<mail>:<account>` (a second claim, racing or
 * not, finds it claimed, and the key could not grant twice anyway). Marks it read.
 */
export async function claimMail(
  db: Kysely<Database>,
  accountId: number,
  mail: Pick<MailRow, 'mailId' | 'title' | 'attachments'>,
  now: Date,
): Promise<ClaimOutcome> {
  return changeOfPlayer(db, accountId, mail.mailId, now, async (trx) => {
    const state = await trx
      .selectFrom('mailState')
      .select(['claimedAt', 'deletedAt'])
      .where('mailId', '=', mail.mailId)
      .where('accountId', '=', accountId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (state.deletedAt) return 'deleted';
    if (state.claimedAt) return 'already';
    const lines: WalletLine[] = [
      ...Object.entries(mail.attachments?.currencies ?? {}).map(([asset, delta]) => ({ kind: 'currency' as const, asset, delta })),
      ...Object.entries(mail.attachments?.items ?? {}).map(([asset, delta]) => ({ kind: 'item' as const, asset, delta })),
    ];
    const change = await applyWalletChangeIn(trx, {
      accountId,
      idempotencyKey: `mail:${mail.mailId}:${accountId}`,
      source: 'mail',
      sourceRef: String(mail.mailId),
      reason: `mail: ${mail.title}`.slice(0, 128),
      lines,
      at: now,
    });
    await sql`UPDATE mail_state SET claimed_at = ${now}, read_at = COALESCE(read_at, ${now})
      WHERE mail_id = ${mail.mailId} AND account_id = ${accountId}`.execute(trx);
    return change.kind === 'applied' ? 'claimed' : 'already';
  });
}

/** The ids of the player's messages with attachments still to claim at `now` (at most `limit`, oldest first). */
export async function claimableMailIds(db: Kysely<Database>, accountId: number, now: Date, limit: number): Promise<number[]> {
  const { rows } = await sql<{ mailId: number }>`
    SELECT m.mail_id FROM mail m LEFT JOIN mail_state s ON s.mail_id = m.mail_id AND s.account_id = ${accountId}
    WHERE ${reaches(accountId)} AND m.attachments IS NOT NULL AND m.expire_time > ${now}
      AND s.claimed_at IS NULL AND s.deleted_at IS NULL
    ORDER BY m.mail_id LIMIT ${limit}`.execute(db);
  return rows.map((row) => Number(row.mailId));
}

/** What became of a mail's subscribe message (sent, or the reason it was not). */
export async function recordMailSubscribeOutcome(db: Kysely<Database>, mailId: number, outcome: string): Promise<void> {
  await db
    .updateTable('mail')
    .set({ subscribeOutcome: outcome.slice(0, 32) })
    .where('mailId', '=', mailId)
    .execute();
}

/** New broadcasts stored after `since` (the change feed: account views must forget their unread counts). */
export async function broadcastsSince(db: Kysely<Database>, since: Date): Promise<number[]> {
  const rows = await db.selectFrom('mail').select('mailId').where('createTime', '>', since).where('accountId', 'is', null).execute();
  return rows.map((row) => Number(row.mailId));
}
