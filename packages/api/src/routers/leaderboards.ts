import { z } from 'zod';
import type { JsonValue } from '../leaderboards/views.js';
import { accountLimitedProcedure, protectedProcedure, router } from '../trpc.js';

/** Most bytes of an entry's metadata, as JSON. */
export const MAX_METADATA_BYTES = 1024;
export const MAX_LEADERBOARD_LIMIT = 100;

const board = z.string({ error: 'board must be a string' }).regex(/^[A-Za-z0-9_.-]{1,64}$/, 'board must be 1-64 letters, digits, _ . or -');
const period = z
  .string({ error: 'period must be a string' })
  .regex(/^(all|\d{4}-\d{2}-\d{2}T\d{2}:\d{2})$/, 'period must be a period id a call answered: all, or YYYY-MM-DDTHH:mm')
  .optional();
const limit = z
  .number({ error: 'limit must be a number' })
  .int('limit must be a whole number')
  .min(1, 'limit must be at least 1')
  .max(MAX_LEADERBOARD_LIMIT, `limit must be at most ${MAX_LEADERBOARD_LIMIT}`)
  .optional();

export const submitInput = z.strictObject({
  board,
  score: z
    .number({ error: 'score must be a number' })
    .int('score must be a whole number')
    .min(Number.MIN_SAFE_INTEGER, 'score is too small')
    .max(Number.MAX_SAFE_INTEGER, 'score is too large'),
  metadata: z
    .custom<JsonValue>((given) => given !== undefined, 'metadata must be JSON')
    .refine(
      (given) => Buffer.byteLength(JSON.stringify(given) ?? '', 'utf8') <= MAX_METADATA_BYTES,
      `metadata must be at most ${MAX_METADATA_BYTES} bytes as JSON`,
    )
    .optional(),
});

export const topInput = z.strictObject({
  board,
  limit,
  cursor: z
    .string({ error: 'cursor must be the nextCursor a page answered' })
    .regex(/^[0-9a-f]{40}$/, 'cursor must be the nextCursor a page answered')
    .optional(),
  period,
});

export const aroundInput = z.strictObject({ board, limit, period });
export const meInput = z.strictObject({ board, period });

const player = (user: { accountId: number; appid: string | null }) => ({ accountId: user.accountId, app: user.appid });

export const leaderboardsRouter = router({
  boards: protectedProcedure.query(({ ctx }) => ctx.services.leaderboards.boards(player(ctx.user))),
  submit: accountLimitedProcedure('leaderboard')
    .input(submitInput)
    .mutation(({ ctx, input }) => ctx.services.leaderboards.submit(player(ctx.user), input)),
  top: protectedProcedure.input(topInput).query(({ ctx, input }) => ctx.services.leaderboards.top(player(ctx.user), input)),
  around: protectedProcedure.input(aroundInput).query(({ ctx, input }) => ctx.services.leaderboards.around(player(ctx.user), input)),
  me: protectedProcedure.input(meInput).query(({ ctx, input }) => ctx.services.leaderboards.me(player(ctx.user), input)),
});
