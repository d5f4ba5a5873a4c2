import { z } from 'zod';
import { protectedProcedure, router } from '../trpc.js';

/** A template id of WeChat's or QQ's subscribe messages (letters, digits, _ and -). */
const templateId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'template ids are 1-128 letters, digits, _ or -');

/**
 * What wx.requestSubscribeMessage answered: `{ [templateId]: 'accept' | 'reject' | 'ban' | 'filter', errMsg }`;
 * on QQ, what qq.subscribeAppMsg({ tmplIds, subscribe: true }) answered: `{ [templateId]: 'accept' | 'reject', errMsg }`.
 */
export const recordSubscriptionsInput = z.strictObject({
  results: z
    .record(z.string(), z.string({ error: 'each answer must be a string' }), {
      error: 'results must be the object wx.requestSubscribeMessage (QQ: qq.subscribeAppMsg) answered',
    })
    .superRefine((results, check) => {
      const templates = Object.keys(results).filter((key) => key !== 'errMsg');
      if (templates.length === 0) check.addIssue({ code: 'custom', message: 'results name no template' });
      if (templates.length > 20) check.addIssue({ code: 'custom', message: 'at most 20 templates at once' });
      for (const key of templates) {
        if (!templateId.safeParse(key).success) check.addIssue({ code: 'custom', path: [key], message: 'not a template id' });
        else if (!['accept', 'reject', 'ban', 'filter'].includes(results[key]!))
          check.addIssue({ code: 'custom', path: [key], message: "must be 'accept', 'reject', 'ban' or 'filter'" });
      }
    })
    .transform((results) => {
      const { errMsg: _errMsg, ...answers } = results;
      return answers as Record<string, 'accept' | 'reject' | 'ban' | 'filter'>;
    }),
});

export const notificationsRouter = router({
  recordSubscriptions: protectedProcedure
    .input(recordSubscriptionsInput)
    .mutation(({ ctx, input }) => ctx.services.notifications.recordSubscriptions(ctx.user, input.results)),
});
