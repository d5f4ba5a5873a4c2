import { gameHasPlayers, insertMail, recordMailSubscribeOutcome, type Database, type Kysely, type MailAttachments } from '@minigate/db';
import { MinigateError } from '../errors.js';
import type { ServiceLogger } from '../services/service-logger.js';
import type { NotificationService } from './notification-service.js';

/** An operator's message (pnpm admin mail). */
export interface OperatorMail {
  /** One player; or, with `game`, null: every player of the game. */
  to: number | null;
  game: string | null;
  /** A broadcast also reaches players who first sign in to the game afterwards. */
  newPlayers: boolean;
  title: string;
  body: string;
  attachments: MailAttachments | null;
  expiresInDays: number;
  /** Also send this subscribe message (WeChat's or QQ's: to one player, in `game`), when they hold a credit for it. */
  subscribe: { templateId: string; data: Record<string, { value: string | number }>; page?: string } | null;
  by: string;
}

export interface MailAdmin {
  /** Stores the message; `subscribe`: what became of the subscribe message (sent, or the reason it was not). */
  send(mail: OperatorMail, log: ServiceLogger): Promise<{ mailId: number; playersOfGame: boolean | null; subscribe: string | null }>;
}

const refuse = (message: string) => new MinigateError({ code: 'BAD_REQUEST', reason: 'INPUT_INVALID', message });

export function createMailAdmin(deps: { db: Kysely<Database>; notifications?: NotificationService; now?: () => number }): MailAdmin {
  const now = deps.now ?? Date.now;
  return {
    async send(mail, log) {
      if (mail.to === null && mail.game === null) throw refuse('a message goes --to one player or to a --game');
      if (mail.subscribe && (mail.to === null || mail.game === null)) throw refuse('--subscribe sends to one player (--to) in one game (--game)');
      if (mail.subscribe && !deps.notifications) throw refuse('--subscribe needs the server configuration');
      if (mail.to !== null) {
        const live = await deps.db
          .selectFrom('account')
          .select('accountId')
          .where('accountId', '=', mail.to)
          .where('isDel', '=', 0)
          .executeTakeFirst();
        if (!live) throw new MinigateError({ code: 'NOT_FOUND', reason: 'ACCOUNT_NOT_FOUND', message: `no live account ${mail.to}` });
      }
      // A broadcast to a game no player signed in to is most likely a mistyped appid: said, not refused.
      let playersOfGame: boolean | null = null;
      if (mail.to === null && mail.game !== null) {
        playersOfGame = await gameHasPlayers(deps.db, mail.game);
      }
      const at = now();
      const mailId = await insertMail(deps.db, {
        accountId: mail.to,
        appid: mail.game,
        reachNewPlayers: mail.to === null && mail.newPlayers,
        title: mail.title,
        body: mail.body,
        attachments: mail.attachments,
        subscribeTemplate: mail.subscribe?.templateId ?? null,
        sentBy: mail.by,
        at: new Date(at),
        expiresAt: new Date(at + mail.expiresInDays * 86_400_000),
      });
      let subscribe: string | null = null;
      if (mail.subscribe && deps.notifications && mail.to !== null && mail.game !== null) {
        try {
          await deps.notifications.send({ accountId: mail.to, appid: mail.game, ...mail.subscribe }, log);
          subscribe = 'sent';
        } catch (error) {
          subscribe = error instanceof MinigateError ? error.reason : 'failed';
        }
        await recordMailSubscribeOutcome(deps.db, mailId, subscribe);
      }
      return { mailId, playersOfGame, subscribe };
    },
  };
}
