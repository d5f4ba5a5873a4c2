import { z } from 'zod';
import { MAX_ENCRYPTED_DATA_BYTES } from '@minigate/wechat';
import { protectedProcedure, router } from '../trpc.js';
import { sessionApp } from '../apps/session-app.js';
import type { Context, AuthenticatedUser } from '../context.js';
import type { AccountView, MeView } from '../services/views.js';
import { appidInput, platformCode } from './auth.js';
import { updateProfileInput } from './profile-input.js';

/** The account, and the game this session is in. */
function withApp(ctx: Context & { user: AuthenticatedUser }, view: AccountView): MeView {
  const app = sessionApp(ctx.services.apps, ctx.user);
  return { ...view, app: { appid: app.appid, platform: app.platform } };
}

export const linkIdentityInput = z.strictObject({
  appid: appidInput,
  code: platformCode('code'),
});

export const unlinkIdentityInput = z.strictObject({ appid: appidInput });

/**
 * What wx.getUserInfo / a user info button gives the game, as it gave it
 * (the whole result may be sent: userInfo, errMsg and cloudID are ignored).
 * Only types and sizes are checked here; the service names the field that
 * is not what WeChat produces (bad base64, wrong lengths).
 */
export const syncWeChatUserInfoInput = z.object({
  encryptedData: z
    .string({ error: 'encryptedData must be the string WeChat gave' })
    .min(1, 'encryptedData must not be empty')
    .max(Math.ceil(MAX_ENCRYPTED_DATA_BYTES / 3) * 4, 'encryptedData is too long to be user info'),
  iv: z.string({ error: 'iv must be the string WeChat gave' }).min(1, 'iv must not be empty').max(64, 'iv is too long to be an iv'),
  rawData: z.string({ error: 'rawData must be the string WeChat gave' }).max(8192, 'rawData is too long to be user info').optional(),
  signature: z
    .string({ error: 'signature must be the string WeChat gave' })
    .regex(/^[0-9a-fA-F]{40}$/, 'signature must be 40 hex digits (sha1)')
    .optional(),
});

/** A phone code from the phone number button (getPhoneNumber): single-use, 5 minutes. */
export const bindPhoneInput = z.strictObject({
  code: z
    .string({ error: 'code must be the string the phone number button gave' })
    .min(1, 'code must not be empty')
    .max(256, 'code is too long to be a phone code')
    .regex(/^[\x21-\x7e]+$/, 'code must be the code the phone number button gave (printable ASCII)'),
});

export const accountRouter = router({
  me: protectedProcedure.query(async ({ ctx }) => withApp(ctx, await ctx.services.accounts.me(ctx.user.accountId))),
  updateProfile: protectedProcedure.input(updateProfileInput).mutation(async ({ ctx, input }) =>
    withApp(
      ctx,
      await ctx.services.accounts.updateProfile(
        ctx.user.accountId,
        {
          ...(input.nickName !== undefined ? { nickName: input.nickName } : {}),
          ...(input.avatarUrl !== undefined ? { avatar: input.avatarUrl } : {}),
          ...(input.gender !== undefined ? { gender: input.gender } : {}),
          ...(input.birthday !== undefined ? { birthday: input.birthday } : {}),
        },
        ctx.caller.log,
      ),
    ),
  ),
  linkIdentity: protectedProcedure
    .input(linkIdentityInput)
    .mutation(async ({ ctx, input }) => withApp(ctx, await ctx.services.identities.link(ctx.user, input.appid, input.code, ctx.caller))),
  unlinkIdentity: protectedProcedure
    .input(unlinkIdentityInput)
    .mutation(async ({ ctx, input }) => withApp(ctx, await ctx.services.identities.unlink(ctx.user, input.appid))),
  heartbeat: protectedProcedure.mutation(({ ctx }) => ctx.services.accounts.heartbeat(ctx.user.accountId)),
  delete: protectedProcedure.mutation(({ ctx }) => ctx.services.accounts.delete(ctx.user)),
  export: protectedProcedure.mutation(({ ctx }) => ctx.services.accounts.export(ctx.user.accountId)),
  syncWeChatUserInfo: protectedProcedure
    .input(syncWeChatUserInfoInput)
    .mutation(async ({ ctx, input }) => withApp(ctx, await ctx.services.wechatAccount.syncUserInfo(ctx.user, input, ctx.caller.log))),
  bindPhone: protectedProcedure
    .input(bindPhoneInput)
    .mutation(({ ctx, input }) => ctx.services.wechatAccount.bindPhone(ctx.user, input.code, ctx.caller.log)),
});
