import { z } from 'zod';
import { consoleRouterOf, operatorProcedure } from '../console-trpc.js';

export const accountId = z
  .number({ error: 'accountId must be a number' })
  .int('accountId must be a whole number')
  .min(1, 'accountId must be at least 1')
  .max(Number.MAX_SAFE_INTEGER, 'accountId is too large');

export const consolePlayersRouter = consoleRouterOf({
  /** By account id, openid, unionid (any platform and game) or the start of a nickname. */
  find: operatorProcedure
    .input(
      z.strictObject({
        query: z.string({ error: 'query is required' }).trim().min(1, 'query is required').max(128, 'query is at most 128 characters'),
      }),
    )
    .query(({ ctx, input }) => ctx.services.players.find(input.query)),
  get: operatorProcedure.input(z.strictObject({ accountId })).query(({ ctx, input }) => ctx.services.players.get(input.accountId)),
});
