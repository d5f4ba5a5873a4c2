import { consoleRouterOf } from './console-trpc.js';
import { consoleActionsRouter } from './routers/console-actions.js';
import { consoleAuthRouter } from './routers/console-auth.js';
import { consoleDashboardsRouter } from './routers/console-dashboards.js';
import { consolePlayersRouter } from './routers/console-players.js';

/** The operator console's API (/console/api): its own router and context, apart from the players'. */
export const consoleRouter = consoleRouterOf({
  auth: consoleAuthRouter,
  players: consolePlayersRouter,
  actions: consoleActionsRouter,
  dashboards: consoleDashboardsRouter,
});

/** The console's API type: the page imports it (types only). */
export type ConsoleRouter = typeof consoleRouter;
