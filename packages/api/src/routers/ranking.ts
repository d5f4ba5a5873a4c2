import { z } from 'zod';
import { accountLimitedProcedure, router } from '../trpc.js';

/** A hosted-data key the open data context reads (wx.getFriendCloudStorage keyList): WeChat allows 128 bytes; we keep them short and plain. */
export const rankingKey = z
  .string({ error: 'key must be a string' })
  .min(1, 'key must not be empty')
  .max(64, 'key must be at most 64 characters')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'key may hold letters, digits, _ . : and - only');

/** WeChat's ranking scores are 32-bit integers. */
export const SCORE_MAX = 2_147_483_647;

export const submitScoreInput = z.strictObject({
  key: rankingKey,
  score: z
    .number({ error: 'score must be a number' })
    .int('score must be a whole number')
    .min(0, 'score must be at least 0')
    .max(SCORE_MAX, `score must be at most ${SCORE_MAX}`),
});

export const removeScoresInput = z.strictObject({
  keys: z
    .array(rankingKey, { error: 'keys must be an array of keys' })
    .min(1, 'give at least one key')
    .max(32, 'at most 32 keys at a time')
    .refine((keys) => new Set(keys).size === keys.length, 'keys must not repeat'),
});

export const rankingRouter = router({
  submitScore: accountLimitedProcedure('ranking')
    .input(submitScoreInput)
    .mutation(({ ctx, input }) => ctx.services.ranking.submitScore(ctx.user, input.key, input.score, ctx.caller.log)),
  removeScores: accountLimitedProcedure('ranking')
    .input(removeScoresInput)
    .mutation(({ ctx, input }) => ctx.services.ranking.removeScores(ctx.user, input.keys, ctx.caller.log)),
});
