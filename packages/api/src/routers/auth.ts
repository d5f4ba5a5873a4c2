import { z } from 'zod';
import { ipLimitedProcedure, protectedProcedure, router } from '../trpc.js';

/** A wx.login code: WeChat's are 32 characters; anything printable up to 128 gets to WeChat, which judges it. */
export const wechatLoginInput = z.object({
  code: z
    .string({ error: 'code must be the string wx.login gave' })
    .trim()
    .min(1, 'code must not be empty: pass the code wx.login gave')
    .max(128, 'code is too long to be a wx.login code')
    .regex(/^[\x21-\x7e]+$/, 'code must be the code wx.login gave (printable ASCII, no spaces)'),
});

/** A game's appid as the deployment's configuration names it. */
export const appidInput = z
  .string({ error: 'appid must be the string your game was given by its platform' })
  .trim()
  .min(1, 'appid must not be empty')
  .max(64, 'appid is too long to be an appid')
  .regex(/^[0-9A-Za-z_-]+$/, 'appid must be letters, digits, _ and - only');

/** A platform login's code (wx.login, tt.login, qq.login): the platform judges it. */
export const platformCode = (name: string) =>
  z
    .string({ error: `${name} must be the string the platform's login gave` })
    .trim()
    .min(1, `${name} must not be empty`)
    .max(128, `${name} is too long to be a login code`)
    .regex(/^[\x21-\x7e]+$/, `${name} must be printable ASCII, no spaces`);

/** auth.login: the game, and what its login gave (on Douyin a guest sends only anonymousCode). */
export const loginInput = z
  .object({ appid: appidInput, code: platformCode('code').optional(), anonymousCode: platformCode('anonymousCode').optional() })
  .refine((input) => input.code !== undefined || input.anonymousCode !== undefined, {
    message: "code is required (or, for a Douyin guest, anonymousCode): send what the platform's login gave",
    path: ['code'],
  });

const refreshToken = z
  .string({ error: 'refreshToken must be the string a login or refresh answered' })
  .min(1, 'refreshToken must not be empty')
  .max(128, 'refreshToken is too long to be one of ours');

export const refreshInput = z.object({ refreshToken });

/** Either credential proves the session: a game whose access token expired can still log out. */
export const logoutInput = z.object({ refreshToken: refreshToken.optional() }).optional();

export const authRouter = router({
  login: ipLimitedProcedure('login')
    .input(loginInput)
    .mutation(({ ctx, input }) =>
      ctx.services.login.login(
        input.appid,
        {
          ...(input.code !== undefined ? { code: input.code } : {}),
          ...(input.anonymousCode !== undefined ? { anonymousCode: input.anonymousCode } : {}),
        },
        ctx.caller,
      ),
    ),
  wechatLogin: ipLimitedProcedure('login')
    .input(wechatLoginInput)
    .mutation(({ ctx, input }) => ctx.services.login.wechatLogin(input.code, ctx.caller)),
  refresh: ipLimitedProcedure('refresh')
    .input(refreshInput)
    .mutation(({ ctx, input }) => ctx.services.sessions.refresh(input.refreshToken, ctx.caller)),
  // Public, so limited per IP like login and refresh: a call with only a refresh token costs a database write.
  logout: ipLimitedProcedure('logout')
    .input(logoutInput)
    .mutation(({ ctx, input }) => ctx.services.sessions.logout(ctx.user, input?.refreshToken)),
  // No limit per IP: it needs a live session (and is counted in that account's `calls`), and ends it, so each session calls it once.
  logoutAll: protectedProcedure.mutation(({ ctx }) => ctx.services.sessions.logoutAll(ctx.user)),
});
