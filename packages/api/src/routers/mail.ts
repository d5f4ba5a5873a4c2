import { z } from 'zod';
import { protectedProcedure, router } from '../trpc.js';

const id = z.strictObject({
  id: z
    .number({ error: 'id must be the number of a message' })
    .int('id must be a whole number')
    .min(1, 'id must be at least 1')
    .max(Number.MAX_SAFE_INTEGER, 'id is too large'),
});

const cursor = z.string({ error: 'cursor must be the string a previous page answered' }).max(32, 'cursor is too long').optional();

export const mailRouter = router({
  list: protectedProcedure
    .input(z.strictObject({ cursor }).optional())
    .query(({ ctx, input }) => ctx.services.mail.list(ctx.user, input?.cursor ?? null)),
  read: protectedProcedure.input(id).mutation(({ ctx, input }) => ctx.services.mail.read(ctx.user, input.id)),
  delete: protectedProcedure.input(id).mutation(({ ctx, input }) => ctx.services.mail.delete(ctx.user, input.id)),
  claim: protectedProcedure.input(id).mutation(({ ctx, input }) => ctx.services.mail.claim(ctx.user, input.id)),
  claimAll: protectedProcedure.mutation(({ ctx }) => ctx.services.mail.claimAll(ctx.user)),
});
