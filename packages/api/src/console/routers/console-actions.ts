import { z } from 'zod';
import { consoleRouterOf, operatorAction } from '../console-trpc.js';
import { accountId } from './console-players.js';

const reason = z
  .string({ error: 'reason is required' })
  .trim()
  .min(1, 'reason is required: it is kept in the audit log')
  .max(255, 'reason is at most 255 characters');
const outTradeNo = z.string({ error: 'outTradeNo is required' }).regex(/^[A-Za-z0-9_-]{1,64}$/, 'outTradeNo must be an order number');
const name = /^[A-Za-z0-9_.-]{1,64}$/;
const amounts = (what: string) =>
  z
    .record(
      z.string().regex(name, `${what} names must be 1-64 letters, digits, _ . or -`),
      z.number({ error: 'an amount must be a number' }).int('an amount must be a whole number').min(-1_000_000_000).max(1_000_000_000),
    )
    .optional();

export const consoleActionsRouter = consoleRouterOf({
  ban: operatorAction('ban')
    .input(z.strictObject({ accountId, reason }))
    .mutation(({ ctx, input }) => ctx.services.actions.ban(ctx.operator, input.accountId, input.reason)),
  unban: operatorAction('unban')
    .input(z.strictObject({ accountId, reason }))
    .mutation(({ ctx, input }) => ctx.services.actions.unban(ctx.operator, input.accountId, input.reason)),
  revokeSessions: operatorAction('revoke')
    .input(z.strictObject({ accountId, sessionId: accountId.optional(), reason }))
    .mutation(({ ctx, input }) => ctx.services.actions.revokeSessions(ctx.operator, input.accountId, input.sessionId, input.reason)),
  deleteAccount: operatorAction('deleteAccount')
    .input(z.strictObject({ accountId, reason }))
    .mutation(({ ctx, input }) => ctx.services.actions.deleteAccount(ctx.operator, input.accountId, input.reason)),
  refundOrder: operatorAction('refund')
    .input(z.strictObject({ outTradeNo, reason }))
    .mutation(({ ctx, input }) => ctx.services.actions.refundOrder(ctx.operator, input.outTradeNo, input.reason)),
  retryOrder: operatorAction('retryOrder')
    .input(z.strictObject({ outTradeNo, reason }))
    .mutation(({ ctx, input }) => ctx.services.actions.retryOrder(ctx.operator, input.outTradeNo, input.reason)),
  grant: operatorAction('grant')
    .input(
      z
        .strictObject({ accountId, currencies: amounts('currency'), items: amounts('item'), reason })
        .refine((grant) => Object.keys({ ...grant.currencies, ...grant.items }).length > 0, {
          message: 'give at least one currency or item',
          path: ['currencies'],
        }),
    )
    .mutation(({ ctx, input }) =>
      ctx.services.actions.grant(ctx.operator, {
        accountId: input.accountId,
        currencies: input.currencies ?? {},
        items: input.items ?? {},
        reason: input.reason,
      }),
    ),
  removeScore: operatorAction('removeScore')
    .input(
      z.strictObject({
        accountId,
        appid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'appid must be a game id'),
        board: z.string().regex(name, 'board must be a board id'),
        period: z.string().max(32).optional(),
        reason,
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.actions.removeScore(ctx.operator, input)),
  sendMail: operatorAction('mail')
    .input(
      z
        .strictObject({
          to: accountId.optional(),
          game: z
            .string()
            .regex(/^[A-Za-z0-9_-]{1,64}$/, 'game must be an appid')
            .optional(),
          newPlayers: z.boolean().optional(),
          title: z.string().trim().min(1, 'title is required').max(100, 'title is at most 100 characters'),
          body: z.string().trim().min(1, 'body is required').max(2000, 'body is at most 2000 characters'),
          currencies: amounts('currency'),
          items: amounts('item'),
          expiresInDays: z.number().int().min(1).max(365).optional(),
          reason,
        })
        .refine((mail) => (mail.to === undefined) !== (mail.game === undefined), {
          message: 'send to one player (to) or to every player of a game (game)',
          path: ['to'],
        }),
    )
    .mutation(({ ctx, input }) => ctx.services.actions.sendMail(ctx.operator, input, ctx.request.log)),
});
