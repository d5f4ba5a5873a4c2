import { protectedProcedure, router } from '../trpc.js';
import { updateProfileInput } from './profile-input.js';

export const accountRouter = router({
  me: protectedProcedure.query(({ ctx }) => ctx.services.accounts.me(ctx.user.accountId)),
  updateProfile: protectedProcedure.input(updateProfileInput).mutation(({ ctx, input }) =>
    ctx.services.accounts.updateProfile(ctx.user.accountId, {
      ...(input.nickName !== undefined ? { nickName: input.nickName } : {}),
      ...(input.avatarUrl !== undefined ? { avatar: input.avatarUrl } : {}),
      ...(input.gender !== undefined ? { gender: input.gender } : {}),
      ...(input.birthday !== undefined ? { birthday: input.birthday } : {}),
    }),
  ),
  heartbeat: protectedProcedure.mutation(({ ctx }) => ctx.services.accounts.heartbeat(ctx.user.accountId)),
  delete: protectedProcedure.mutation(({ ctx }) => ctx.services.accounts.delete(ctx.user)),
  export: protectedProcedure.mutation(({ ctx }) => ctx.services.accounts.export(ctx.user.accountId)),
});
