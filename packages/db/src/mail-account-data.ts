import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

/** A message of the player's mailbox as account.export lists it: sent to them, or a broadcast they acted on. */
export interface MailExport {
  mailId: number;
  broadcast: boolean;
  title: string;
  body: string;
  /** JSON `{ currencies, items }`, or null. */
  attachments: string | null;
  createTime: Date;
  expireTime: Date;
  readAt: Date | null;
  claimedAt: Date | null;
  deletedAt: Date | null;
}

/** The player's mail (their own messages, and their state of broadcasts) and subscribe credits, for account.export. */
export async function listAccountMail(
  db: Kysely<Database>,
  accountId: number,
): Promise<{ mail: MailExport[]; subscribeCredits: Array<{ appid: string; templateId: string; credits: number }> }> {
  const [mail, subscribeCredits] = await Promise.all([
    db
      .selectFrom('mail')
      .leftJoin('mailState', (join) => join.onRef('mailState.mailId', '=', 'mail.mailId').on('mailState.accountId', '=', accountId))
      .select([
        'mail.mailId',
        'mail.accountId',
        'mail.title',
        'mail.body',
        'mail.attachments',
        'mail.createTime',
        'mail.expireTime',
        'mailState.readAt',
        'mailState.claimedAt',
        'mailState.deletedAt',
      ])
      .where((eb) =>
        eb.or([eb('mail.accountId', '=', accountId), eb.and([eb('mail.accountId', 'is', null), eb('mailState.accountId', '=', accountId)])]),
      )
      .orderBy('mail.mailId')
      .execute(),
    db
      .selectFrom('subscribeCredit')
      .select(['appid', 'templateId', 'credits'])
      .where('accountId', '=', accountId)
      .orderBy('appid')
      .orderBy('templateId')
      .execute(),
  ]);
  return {
    mail: mail.map(({ accountId: to, ...row }) => ({
      ...row,
      broadcast: to === null,
      readAt: row.readAt ?? null,
      claimedAt: row.claimedAt ?? null,
      deletedAt: row.deletedAt ?? null,
    })),
    subscribeCredits,
  };
}

/** In an account's deletion: its own messages, its state of every message, and its subscribe credits go (broadcasts stay, for the others). */
export async function deleteAccountMailIn(trx: Transaction<Database>, accountId: number): Promise<void> {
  await trx.deleteFrom('mailState').where('accountId', '=', accountId).execute();
  await trx.deleteFrom('mail').where('accountId', '=', accountId).execute();
  await trx.deleteFrom('subscribeCredit').where('accountId', '=', accountId).execute();
}
