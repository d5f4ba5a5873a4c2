import { protectedProcedure, router } from '../trpc.js';

export const accountRouter = router({
  me: protectedProcedure.query(({ ctx }) => ctx.services.accounts.me(ctx.user.accountId)),
});
