import type { OperatorRole } from '@minigate/db';
import { initTRPC } from '@trpc/server';
import { formatError } from '../error-shape.js';
import { MinigateError } from '../errors.js';
import { served } from '../trpc.js';
import { consoleToken, type ConsoleContext } from './console-context.js';

// The console's own tRPC: its own context (an operator's cookie, never a player's token) and router. Errors have
// the players' API's shape (formatError): a reason, the fields at fault, never a stack.
const t = initTRPC.context<ConsoleContext>().create({
  isDev: false,
  errorFormatter: ({ error, path }) => formatError(error, path),
});

export const consoleRouterOf = t.router;

/** Counted while it runs; a database that cannot be reached answers 503, as the players' API does. */
export const publicConsoleProcedure = t.procedure.use(({ ctx, next }) => served(ctx, () => next()));

/**
 * An operator's call: a live console login in the cookie (401
 * OPERATOR_SESSION_INVALID otherwise: no cookie, a forged or ended one; a
 * player's token opens nothing here), and for every change the login's
 * CSRF token in x-csrf-token (403 CSRF_TOKEN_INVALID): SameSite alone does
 * not stop a same-site page.
 */
export const operatorProcedure = publicConsoleProcedure.use(async ({ ctx, next, type }) => {
  const token = consoleToken(ctx.request.cookie);
  const session = token ? await ctx.services.auth.session(token) : null;
  if (!token || !session) {
    throw new MinigateError({ code: 'UNAUTHORIZED', reason: 'OPERATOR_SESSION_INVALID', message: 'Log in to the console first' });
  }
  if (type === 'mutation' && !ctx.services.auth.csrfMatches(token, ctx.request.csrfToken)) {
    throw new MinigateError({
      code: 'FORBIDDEN',
      reason: 'CSRF_TOKEN_INVALID',
      message: 'This change lacks the CSRF token of your login (x-csrf-token): reload the console',
    });
  }
  return next({ ctx: { operator: session, token } });
});

/** What each role may change; viewers read only, admins do everything. */
const MAY: Record<OperatorRole, readonly string[]> = {
  viewer: [],
  support: ['ban', 'unban', 'revoke', 'mail', 'removeScore'],
  finance: ['refund', 'retryOrder', 'grant'],
  admin: ['*'],
};

/** An operator's change that their role must allow (403 OPERATOR_FORBIDDEN). */
export const operatorAction = (action: string) =>
  operatorProcedure.use(({ ctx, next }) => {
    const may = MAY[ctx.operator.role];
    if (!may.includes('*') && !may.includes(action)) {
      throw new MinigateError({
        code: 'FORBIDDEN',
        reason: 'OPERATOR_FORBIDDEN',
        message: `A ${ctx.operator.role} may not ${action}: ask an operator whose role allows it`,
      });
    }
    return next();
  });
