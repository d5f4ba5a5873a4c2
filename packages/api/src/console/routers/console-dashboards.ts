import { z } from 'zod';
import { consoleRouterOf, operatorProcedure } from '../console-trpc.js';

export const consoleDashboardsRouter = consoleRouterOf({
  online: operatorProcedure.query(({ ctx }) => ctx.services.dashboards.online()),
  logins: operatorProcedure
    .input(z.strictObject({ hours: z.number().int().min(1, 'hours must be at least 1').max(48, 'hours must be at most 48').optional() }).optional())
    .query(({ ctx, input }) => ctx.services.dashboards.logins(input?.hours ?? 24)),
  revenue: operatorProcedure
    .input(z.strictObject({ days: z.number().int().min(1, 'days must be at least 1').max(366, 'days must be at most 366').optional() }).optional())
    .query(({ ctx, input }) => ctx.services.dashboards.revenue(input?.days ?? 30)),
  errors: operatorProcedure.query(({ ctx }) => ctx.services.dashboards.errors(() => ctx.request.errorCounts())),
});
