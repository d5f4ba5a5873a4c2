import { z } from 'zod';
import { limitRefusal } from '../../trpc.js';
import { consoleCookie } from '../console-context.js';
import { consoleRouterOf, operatorProcedure, publicConsoleProcedure } from '../console-trpc.js';

const loginInput = z.strictObject({
  name: z.string({ error: 'name is required' }).min(1, 'name is required').max(64, 'name is at most 64 characters'),
  password: z.string({ error: 'password is required' }).min(1, 'password is required').max(256, 'password is at most 256 characters'),
});

export const consoleAuthRouter = consoleRouterOf({
  /** Logs an operator in: sets the session cookie and answers the CSRF token every change must carry. Limited per IP and per name. */
  login: publicConsoleProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
    const { rateLimits, auth } = ctx.services;
    for (const key of [`ip:${ctx.request.ip}`, `name:${input.name.toLowerCase()}`]) {
      const wait = await rateLimits.consume('consoleLogin', key);
      if (wait !== null) throw limitRefusal('consoleLogin', wait);
    }
    const login = await auth.login(input.name, input.password, { ip: ctx.request.ip, userAgent: ctx.request.userAgent ?? '' });
    ctx.request.setCookie(consoleCookie(login.token, login.maxAgeSeconds));
    ctx.request.log.info({ operator: login.operator.name, role: login.operator.role }, 'operator logged in to the console');
    return { operator: login.operator, csrfToken: login.csrfToken };
  }),
  /** Who is logged in, and the login's CSRF token (the page asks on load). */
  me: operatorProcedure.query(({ ctx }) => ({
    operator: { name: ctx.operator.name, role: ctx.operator.role },
    csrfToken: ctx.services.auth.csrfFor(ctx.token),
  })),
  logout: operatorProcedure.mutation(async ({ ctx }) => {
    await ctx.services.auth.logout(ctx.operator.sessionId);
    ctx.request.setCookie(consoleCookie('', 0));
    return { loggedOut: true as const };
  }),
});
