import type { MailAttachments, MailRow } from '@minigate/db';

/** One message as `mail.list`, `mail.read` and the claims answer it. */
export interface MailView {
  id: number;
  title: string;
  body: string;
  /** What claiming it grants, or null. */
  attachments: MailAttachments | null;
  /** Sent to every player of a game (true) or to this player alone. */
  broadcast: boolean;
  /** Epoch milliseconds. */
  sentAt: number;
  expiresAt: number;
  read: boolean;
  claimed: boolean;
}

export function mailView(row: MailRow): MailView {
  return {
    id: row.mailId,
    title: row.title,
    body: row.body,
    attachments: row.attachments,
    broadcast: row.accountId === null,
    sentAt: row.createTime.getTime(),
    expiresAt: row.expireTime.getTime(),
    read: row.readAt !== null || row.claimedAt !== null,
    claimed: row.claimedAt !== null,
  };
}
