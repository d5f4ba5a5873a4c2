import type { Database, Kysely } from '@minigate/db';
import type { ServedApps } from '../apps/served-apps.js';
import type { ProcedureRuntime } from '../procedure-runtime.js';
import type { RateLimits } from '../rate-limits.js';
import { createAdminService } from '../services/admin-service.js';
import { createOrderAdmin } from '../payments/order-admin.js';
import type { MailAdmin } from '../mail/mail-admin.js';
import { createConsoleActions, type ConsoleActionDeps } from './console-actions.js';
import type { ConsoleContext, ConsoleRequest } from './console-context.js';
import { createConsoleDashboards } from './console-dashboards.js';
import { createConsolePlayers } from './console-players.js';
import { consoleRouter } from './console-router.js';
import { createOperatorAuth, type ConsoleSettings } from './operator-auth.js';

export interface ConsoleDeps {
  db: Kysely<Database>;
  settings: ConsoleSettings;
  apps: ServedApps;
  heartbeatTimeoutSeconds: number;
  mail: MailAdmin;
  removeLeaderboardEntry: ConsoleActionDeps['removeLeaderboardEntry'];
  deleteAccount: ConsoleActionDeps['deleteAccount'];
  rateLimits: RateLimits;
  runtime: ProcedureRuntime;
  now?: () => number;
}

/** The operator console's API: its router, each request's context, and the operators' accounts. */
export function createConsole(deps: ConsoleDeps) {
  const { db } = deps;
  const now = deps.now ? { now: deps.now } : {};
  const auth = createOperatorAuth({ db, settings: deps.settings, ...now });
  const firstWeChat = deps.apps.defaultWeChat?.platform ?? 'wechat';
  const services: ConsoleContext['services'] = {
    auth,
    players: createConsolePlayers({ db }),
    actions: createConsoleActions({
      db,
      admin: createAdminService({ db, heartbeatTimeoutSeconds: deps.heartbeatTimeoutSeconds, ...now }),
      orders: createOrderAdmin({ db, ...now }),
      mail: deps.mail,
      removeLeaderboardEntry: deps.removeLeaderboardEntry,
      deleteAccount: deps.deleteAccount,
      ...now,
    }),
    dashboards: createConsoleDashboards({
      db,
      platformOf: (appid) => (appid === null ? firstWeChat : (deps.apps.get(appid)?.platform ?? 'other')),
      platforms: [...new Set(deps.apps.all.map((app) => app.platform))],
      onlineWindowSeconds: deps.heartbeatTimeoutSeconds,
      startedAt: deps.now?.() ?? Date.now(),
      ...now,
    }),
    rateLimits: deps.rateLimits,
    runtime: deps.runtime,
  };
  return {
    router: consoleRouter,
    createContext: (request: ConsoleRequest): ConsoleContext => ({ request, services }),
    /** pnpm admin operator:create and pnpm dev's first operator. */
    createOperator: auth.createOperator,
    hasOperators: auth.hasOperators,
  };
}

export type Console = ReturnType<typeof createConsole>;
