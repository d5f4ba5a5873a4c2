import { accountRouter } from './routers/account.js';
import { authRouter } from './routers/auth.js';
import { leaderboardsRouter } from './routers/leaderboards.js';
import { mailRouter } from './routers/mail.js';
import { notificationsRouter } from './routers/notifications.js';
import { paymentsRouter, walletRouter } from './routers/payments.js';
import { rankingRouter } from './routers/ranking.js';
import { storageRouter } from './routers/storage.js';
import { router } from './trpc.js';

export const appRouter = router({
  auth: authRouter,
  account: accountRouter,
  ranking: rankingRouter,
  payments: paymentsRouter,
  wallet: walletRouter,
  storage: storageRouter,
  // Mail and subscribe messages.
  mail: mailRouter,
  notifications: notificationsRouter,
  leaderboards: leaderboardsRouter,
});

/** The API's type: the client imports it (types only) so a renamed field breaks the game's build. */
export type AppRouter = typeof appRouter;
