import { z } from 'zod';
import { publicProcedure, router } from '../trpc.js';

/** A wx.login code: WeChat's are 32 characters; anything printable up to 128 gets to WeChat, which judges it. */
export const wechatLoginInput = z.object({
  code: z
    .string({ error: 'code must be the string wx.login gave' })
    .trim()
    .min(1, 'code must not be empty: pass the code wx.login gave')
    .max(128, 'code is too long to be a wx.login code')
    .regex(/^[\x21-\x7e]+$/, 'code must be the code wx.login gave (printable ASCII, no spaces)'),
});

export const authRouter = router({
  wechatLogin: publicProcedure.input(wechatLoginInput).mutation(({ ctx, input }) => ctx.services.login.wechatLogin(input.code, ctx.ip)),
});
